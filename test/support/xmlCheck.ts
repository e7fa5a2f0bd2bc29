// A strict reader for the plain XML the SVG renderers write (elements, double-quoted attributes,
// text, entity references): anything else — a stray `<`, a bare `&`, a control character, an
// unclosed element — is an error, the way an SVG viewer would refuse the picture.

const TOKEN = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>|([^<]+)/y;
const ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
const NOT_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/** The document's root element; throws on anything that is not well-formed. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < xml.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(xml);
    if (!m) throw new Error(`not well-formed at ${at}: ${JSON.stringify(xml.slice(at, at + 40))}`);
    const [, closing, name, attrText, selfClosing, text] = m;
    if (text !== undefined) {
      if (ENTITY.test(text) || NOT_XML.test(text)) throw new Error(`bad text at ${at}: ${JSON.stringify(text.slice(0, 40))}`);
      stack[stack.length - 1].text += text;
      continue;
    }
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name || stack.length === 0) throw new Error(`</${name}> at ${at} closes ${open?.name ?? 'nothing'}`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const [, key, value] of attrText.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (key in attrs) throw new Error(`attribute ${key} twice at ${at}`);
      if (value.includes('<') || ENTITY.test(value) || NOT_XML.test(value)) throw new Error(`bad attribute ${key} at ${at}`);
      attrs[key] = value;
    }
    const element: XmlElement = { name, attrs, children: [], text: '' };
    stack[stack.length - 1].children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  const elements = root.children;
  if (elements.length !== 1 || root.text.trim() !== '') throw new Error('not exactly one root element');
  return elements[0];
}

/** Every element below `e` (itself included), depth first. */
export function descendants(e: XmlElement): XmlElement[] {
  return [e, ...e.children.flatMap(descendants)];
}

export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#\d+);/g, (_, x: string) =>
    x === 'amp' ? '&' : x === 'lt' ? '<' : x === 'gt' ? '>' : x === 'quot' ? '"' : x === 'apos' ? "'" : String.fromCodePoint(Number(x.slice(1))),
  );
}
