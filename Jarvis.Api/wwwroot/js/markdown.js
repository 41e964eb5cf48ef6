/**
 * A small, safe Markdown renderer for Jarvis's replies.
 *
 * The text is never parsed as HTML: it is split into an allow-listed tree (paragraphs, line breaks, bold, italic,
 * inline code, fenced code blocks, lists, headings and http(s) links) whose leaves are plain strings, and the DOM is
 * built from that tree with createElement and text nodes only. Anything else, raw HTML included, stays literal text.
 * `parseMarkdown` needs no DOM, so it can be tested anywhere.
 */

const FENCE = /^\s*```\s*([\w+#.-]*)\s*$/;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
const LINK = /^\[([^\]\n]+)\]\(([^()\s]+)\)/;

/**
 * The URL if it is an absolute http or https address, else null.
 * @param {string} href
 * @returns {string | null}
 */
export function safeHref(href) {
  if (!/^https?:\/\//i.test(href)) {
    return null;
  }
  try {
    const url = new URL(href);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * Parses the inline markup of one block.
 * @param {string} source
 * @param {boolean} [links=true] whether links are recognised (not inside a link's own text)
 * @returns {Array<object>} nodes: {type:'text'|'code', text}, {type:'strong'|'em', children}, {type:'link', href, children}
 */
export function parseInline(source, links = true) {
  const nodes = [];
  let text = '';
  const flush = () => {
    if (text) {
      nodes.push({ type: 'text', text });
      text = '';
    }
  };
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    if (rest.startsWith('`')) {
      const end = source.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        nodes.push({ type: 'code', text: source.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    } else if (rest.startsWith('**')) {
      const end = source.indexOf('**', i + 2);
      if (end > i + 2) {
        flush();
        nodes.push({ type: 'strong', children: parseInline(source.slice(i + 2, end), links) });
        i = end + 2;
        continue;
      }
    } else if (rest.startsWith('*') && rest.length > 1 && rest[1] !== ' ') {
      const end = findItalicEnd(source, i + 1);
      if (end > 0) {
        flush();
        nodes.push({ type: 'em', children: parseInline(source.slice(i + 1, end), links) });
        i = end + 1;
        continue;
      }
    } else if (links && rest.startsWith('[')) {
      const match = LINK.exec(rest);
      const href = match && safeHref(match[2]);
      if (href) {
        flush();
        nodes.push({ type: 'link', href, children: parseInline(match[1], false) });
        i += match[0].length;
        continue;
      }
    }
    text += source[i];
    i += 1;
  }
  flush();
  return nodes;
}

/** The index of the `*` closing an italic span opened just before `from`, or -1. */
function findItalicEnd(source, from) {
  for (let i = from; i < source.length; i += 1) {
    if (source[i] === '*' && source[i + 1] !== '*' && source[i - 1] !== ' ' && source[i - 1] !== '*') {
      return i;
    }
    if (source[i] === '*' && source[i + 1] === '*') {
      i += 1;
    }
  }
  return -1;
}

/**
 * Parses Markdown into a tree of allow-listed blocks.
 * @param {string} text
 * @returns {Array<object>} blocks: {type:'p', lines}, {type:'heading', level: 3|4, children},
 *   {type:'code', language, text}, {type:'list', ordered, start, items} (lines and items are inline node arrays)
 */
export function parseMarkdown(text) {
  const lines = String(text ?? '').replace(/\r\n?/g, '\n').split('\n');
  const blocks = [];
  let paragraph = null;
  let list = null;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    const fence = FENCE.exec(line);
    if (fence) {
      const code = [];
      for (i += 1; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i += 1) {
        code.push(lines[i]);
      }
      blocks.push({ type: 'code', language: fence[1], text: code.join('\n') });
      paragraph = list = null;
      continue;
    }
    if (!line.trim()) {
      paragraph = list = null;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ type: 'heading', level: heading[1].length === 1 ? 3 : 4, children: parseInline(heading[2]) });
      paragraph = list = null;
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      const ordered = Boolean(numbered);
      if (!list || list.ordered !== ordered) {
        list = { type: 'list', ordered, start: ordered ? Number(numbered[1]) : 1, items: [] };
        blocks.push(list);
      }
      list.items.push(parseInline(bullet ? bullet[1] : numbered[2]));
      paragraph = null;
      continue;
    }
    if (list && /^\s/.test(line)) {
      // An indented line continues the last list item.
      const item = list.items[list.items.length - 1];
      item.push({ type: 'text', text: ' ' }, ...parseInline(line.trim()));
      continue;
    }
    list = null;
    if (!paragraph) {
      paragraph = { type: 'p', lines: [] };
      blocks.push(paragraph);
    }
    paragraph.lines.push(parseInline(line));
  }
  return blocks;
}

/**
 * Renders Markdown as DOM nodes built only with createElement and text nodes.
 * @param {string} text the Markdown
 * @param {Document} [doc=document] the document that creates the nodes
 * @returns {DocumentFragment}
 */
export function renderMarkdown(text, doc = document) {
  const fragment = doc.createDocumentFragment();
  for (const block of parseMarkdown(text)) {
    fragment.appendChild(renderBlock(block, doc));
  }
  return fragment;
}

function renderBlock(block, doc) {
  switch (block.type) {
    case 'heading':
      return withChildren(doc.createElement(`h${block.level}`), block.children, doc);
    case 'code': {
      const pre = doc.createElement('pre');
      pre.setAttribute('tabindex', '0'); // a wide block scrolls sideways: the keyboard must reach it
      const code = doc.createElement('code');
      if (block.language) {
        code.setAttribute('data-language', block.language);
      }
      code.appendChild(doc.createTextNode(block.text));
      pre.appendChild(code);
      return pre;
    }
    case 'list': {
      const list = doc.createElement(block.ordered ? 'ol' : 'ul');
      if (block.ordered && block.start !== 1) {
        list.setAttribute('start', String(block.start));
      }
      for (const item of block.items) {
        list.appendChild(withChildren(doc.createElement('li'), item, doc));
      }
      return list;
    }
    default: {
      const p = doc.createElement('p');
      block.lines.forEach((line, index) => {
        if (index > 0) {
          p.appendChild(doc.createElement('br'));
        }
        withChildren(p, line, doc);
      });
      return p;
    }
  }
}

function withChildren(parent, nodes, doc) {
  for (const node of nodes) {
    parent.appendChild(renderInline(node, doc));
  }
  return parent;
}

function renderInline(node, doc) {
  switch (node.type) {
    case 'code': {
      const code = doc.createElement('code');
      code.appendChild(doc.createTextNode(node.text));
      return code;
    }
    case 'strong':
    case 'em':
      return withChildren(doc.createElement(node.type), node.children, doc);
    case 'link': {
      const a = doc.createElement('a');
      a.setAttribute('href', node.href);
      a.setAttribute('target', '_blank');
      a.setAttribute('rel', 'noopener noreferrer nofollow');
      return withChildren(a, node.children, doc);
    }
    default:
      return doc.createTextNode(node.text);
  }
}
