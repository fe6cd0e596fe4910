/**
 * Generated physical names: the logical name made safe for the service, cut so the
 * random suffix (and any fixed ending such as `.fifo`) still fits.
 */
export function generatedName(
  logicalName: string,
  randomSuffix: string,
  opts: { maxLength: number; allowed: RegExp; ending?: string; lowerCase?: boolean },
): string {
  const ending = opts.ending ?? '';
  let base = opts.lowerCase ? logicalName.toLowerCase() : logicalName;
  base = [...base].map((c) => (opts.allowed.test(c) ? c : '-')).join('');
  const room = opts.maxLength - randomSuffix.length - 1 - ending.length;
  return `${base.slice(0, Math.max(room, 1))}-${randomSuffix}${ending}`;
}
