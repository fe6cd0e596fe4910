// @driftless/aws-classic-templates: first-party templates on @pulumi/aws (the "classic" AWS
// provider), installed by an operator apart from driftless, which provides `driftless/*`
// (and its zod and Pulumi SDK) to the package at run time. The engine reads `templates`
// from the module package.json names in "driftless": { "templates" }.
import { awsBucketTemplate } from './bucket.js';

export { awsBucketTemplate };

/** Every template of this package, as the engine loads them. */
export const templates = [awsBucketTemplate];
