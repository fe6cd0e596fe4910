import type { ComponentChildren, VNode } from 'preact';

/**
 * A small Markdown renderer for the preview reports (headings, paragraphs, nested lists,
 * tables, code, bold, emphasis, links). It builds virtual DOM nodes from text only: no
 * string ever becomes HTML, so a branch name or field value holding `<script>` shows as
 * text. Raw HTML in the source is shown as written; only http(s) and in-page links are links.
 */
export function Markdown({ source }: { source: string }): VNode {
  return <div class="markdown">{blocks(source.replace(/\r\n?/g, '\n').split('\n'))}</div>;
}

const LIST = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;
const FENCE = /^\s*(```|~~~)/;

function indentOf(line: string): number {
  return /^\s*/.exec(line)?.[0].length ?? 0;
}

function dedent(lines: string[], n: number): string[] {
  return lines.map((l) => (indentOf(l) >= n ? l.slice(n) : l.trimStart()));
}

function blocks(lines: string[]): VNode[] {
  const out: VNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const marker = fence[1] ?? '```';
      const code: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? '').trim().startsWith(marker)) code.push(lines[i++] ?? '');
      i++;
      out.push(
        <pre>
          <code>{code.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = Math.min(6, (heading[1] ?? '#').length);
      const H = `h${level}` as 'h2';
      out.push(<H>{inline(heading[2] ?? '')}</H>);
      i++;
      continue;
    }
    if (line.trimStart().startsWith('|')) {
      const rows: string[] = [];
      while (i < lines.length && (lines[i] ?? '').trimStart().startsWith('|')) rows.push((lines[i++] ?? '').trim());
      out.push(table(rows));
      continue;
    }
    const item = LIST.exec(line);
    if (item) {
      const base = (item[1] ?? '').length;
      const ordered = /\d/.test(item[2] ?? '');
      const items: { first: string; rest: string[] }[] = [];
      while (i < lines.length) {
        const l = lines[i] ?? '';
        const m = LIST.exec(l);
        if (m && (m[1] ?? '').length === base) {
          items.push({ first: m[3] ?? '', rest: [] });
          i++;
        } else if (items.length > 0 && (l.trim() === '' || indentOf(l) > base)) {
          // A blank line ends the list unless the next line still belongs to it.
          if (l.trim() === '') {
            const next = lines.slice(i + 1).find((x) => x.trim() !== '');
            if (next === undefined || indentOf(next) <= base) {
              const nm = next === undefined ? null : LIST.exec(next);
              if (!(nm && (nm[1] ?? '').length === base)) break;
            }
          }
          items[items.length - 1]?.rest.push(l);
          i++;
        } else break;
      }
      const children = items.map((it) => (
        <li>
          {inline(it.first)}
          {blocks(dedent(it.rest, base + 2))}
        </li>
      ));
      out.push(ordered ? <ol>{children}</ol> : <ul>{children}</ul>);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length) {
      const l = lines[i] ?? '';
      if (l.trim() === '' || FENCE.test(l) || LIST.test(l) || l.trimStart().startsWith('|') || /^\s{0,3}#{1,6}\s/.test(l)) break;
      para.push(l.trim());
      i++;
    }
    out.push(<p>{inline(para.join(' '))}</p>);
  }
  return out;
}

/** Cells of a table row: split on `|` that is not escaped. */
function cells(row: string): string[] {
  const parts = row
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/);
  return parts.map((c) => c.trim());
}

function table(rows: string[]): VNode {
  const [head, separator, ...body] = rows;
  const hasHeader = separator !== undefined && /^\|?\s*:?-{2,}/.test(separator);
  const bodyRows = hasHeader ? body : rows;
  return (
    <div class="table-wrap">
      <table>
        {hasHeader && head ? (
          <thead>
            <tr>
              {cells(head).map((c) => (
                <th scope="col">{inline(c)}</th>
              ))}
            </tr>
          </thead>
        ) : null}
        <tbody>
          {bodyRows.map((r) => (
            <tr>
              {cells(r).map((c) => (
                <td>{inline(c)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const INLINE =
  /(`+)([\s\S]*?[^`])\1(?!`)|\*\*([\s\S]+?)\*\*|(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])|\[([^\]]+)\]\(([^)\s]+)\)|\\([\\`*_{}[\]()#+\-.!|<>~])/g;

function safeHref(url: string): string | undefined {
  return /^(https?:\/\/|#)/i.test(url) ? url : undefined;
}

/** Inline Markdown as text and elements. */
export function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    if (m[2] !== undefined) out.push(<code>{m[2].trim()}</code>);
    else if (m[3] !== undefined) out.push(<strong>{inline(m[3])}</strong>);
    else if (m[4] !== undefined) out.push(<em>{inline(m[4])}</em>);
    else if (m[5] !== undefined) {
      const url = safeHref(m[6] ?? '');
      out.push(
        url ? (
          <a href={url} rel="noopener noreferrer nofollow" target={url.startsWith('#') ? undefined : '_blank'}>
            {inline(m[5])}
          </a>
        ) : (
          inline(m[5])
        ),
      );
    } else if (m[7] !== undefined) out.push(m[7]);
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}
