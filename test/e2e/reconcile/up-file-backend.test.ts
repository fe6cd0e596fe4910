import { describeUpEnvironment } from '../../support/up-environment-suite.js';

describeUpEnvironment('file');
