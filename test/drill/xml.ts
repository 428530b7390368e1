// A small strict XML well-formedness parser for tests: one root element, balanced and properly
// nested tags, quoted unique attributes, only the five predefined entities or numeric references.
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][\w.:-]*/;

export function parseXml(source: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i}: ${JSON.stringify(source.slice(i, i + 40))}`);
  };
  const checkText = (text: string) => {
    for (const m of text.matchAll(/&([^;\s]*);?/g)) {
      if (!m[0].endsWith(';') || !/^(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+)$/.test(m[1]!)) fail(`bad entity ${m[0]}`);
    }
    if (text.includes('<')) fail('raw < in text');
  };
  if (source.startsWith('<?xml')) i = source.indexOf('?>') + 2;
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const text = source.slice(i, lt === -1 ? source.length : lt);
    checkText(text);
    if (stack.length > 0) stack[stack.length - 1]!.text += text;
    else if (text.trim() !== '') fail('text outside the root element');
    if (lt === -1) break;
    i = lt;
    if (source.startsWith('<!--', i)) {
      const end = source.indexOf('-->', i);
      if (end === -1) fail('unterminated comment');
      i = end + 3;
      continue;
    }
    if (source.startsWith('</', i)) {
      const m = NAME.exec(source.slice(i + 2));
      if (!m) fail('bad closing tag');
      const open = stack.pop();
      if (!open || open.name !== m![0]) fail(`closing </${m![0]}> does not match <${open?.name ?? 'nothing'}>`);
      i += 2 + m![0].length;
      while (/\s/.test(source[i] ?? '')) i++;
      if (source[i] !== '>') fail('expected >');
      i++;
      continue;
    }
    const m = NAME.exec(source.slice(i + 1));
    if (!m) fail('bad tag name');
    const el: XmlElement = { name: m![0], attributes: {}, children: [], text: '' };
    i += 1 + m![0].length;
    for (;;) {
      while (/\s/.test(source[i] ?? '')) i++;
      if (source.startsWith('/>', i)) {
        i += 2;
        attach(el, false);
        break;
      }
      if (source[i] === '>') {
        i++;
        attach(el, true);
        break;
      }
      const a = NAME.exec(source.slice(i));
      if (!a) fail('bad attribute');
      i += a![0].length;
      if (source[i] !== '=') fail('attribute without =');
      i++;
      const q = source[i];
      if (q !== '"' && q !== "'") fail('unquoted attribute');
      const end = source.indexOf(q!, i + 1);
      if (end === -1) fail('unterminated attribute');
      const value = source.slice(i + 1, end);
      checkText(value);
      if (a![0] in el.attributes) fail(`duplicate attribute ${a![0]}`);
      el.attributes[a![0]] = value;
      i = end + 1;
    }
  }
  if (stack.length > 0) fail(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (!root) fail('no root element');
  return root!;

  function attach(el: XmlElement, open: boolean) {
    if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
    else if (root) fail('second root element');
    else root = el;
    if (open) stack.push(el);
  }
}

export function findAll(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => findAll(c, name))];
}
