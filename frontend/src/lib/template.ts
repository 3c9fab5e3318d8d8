// Name templates in the new-batch form: a quick check while typing and an example name.
// The API validates and renders templates (core/naming/templates.py); this only previews
// them with made-up picture details, so people see the shape of their names before any
// image exists. It follows the server's visible rules (empty fields vanish with their
// separator, the case style's separator, words never cut) but not its word choice.
import { caseStyleSeparator } from "./batchOptions";

const FIELD = /\{([^{}]*)\}/g;

/** What the person should change, or null when the template looks right. */
export function templateProblem(template: string, knownFields: readonly string[]): string | null {
  const text = template.trim();
  if (!text) return null;
  let open = false;
  for (const char of text) {
    if (char === "{") {
      if (open) return "A field is opened inside another; write fields as {subject}.";
      open = true;
    } else if (char === "}") {
      if (!open) return "There is a “}” without a matching “{”; write fields as {subject}.";
      open = false;
    }
  }
  if (open) return "A “{” is never closed; write fields as {subject}.";
  const names = Array.from(text.matchAll(FIELD), (match) => match[1]!.trim().toLowerCase());
  if (names.length === 0) return "Add at least one field, such as {subject} or {keyword}.";
  if (knownFields.length > 0) {
    const unknown = names.find((name) => !knownFields.includes(name));
    if (unknown !== undefined) return `{${unknown}} is not a field; pick one from the list below.`;
  }
  return null;
}

const SAMPLE_PICTURE: Record<string, Record<string, string>> = {
  en: { subject: "handbag", object: "scarf", color: "red", material: "leather", setting: "studio" },
  de: { subject: "handtasche", object: "schal", color: "rot", material: "leder", setting: "studio" },
  fr: { subject: "sac à main", object: "foulard", color: "rouge", material: "cuir", setting: "studio" },
  es: { subject: "bolso", object: "pañuelo", color: "rojo", material: "cuero", setting: "estudio" },
  it: { subject: "borsa", object: "sciarpa", color: "rosso", material: "pelle", setting: "studio" },
  nl: { subject: "handtas", object: "sjaal", color: "rood", material: "leer", setting: "studio" },
  pt: { subject: "bolsa", object: "lenço", color: "vermelho", material: "couro", setting: "estúdio" },
};

const SAMPLE_FILE: Record<string, string> = {
  place: "eiffel tower paris",
  text: "summer sale",
  original: "spring lookbook",
  sku: "AB-1234",
  n: "1",
  date: "2025-05-01",
  camera: "eos r6",
};

/** Words of a text as a filename spells them: ASCII unless `unicode`. */
export function nameWords(text: string, unicode: boolean): string[] {
  const folded = unicode ? text : text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/ß/g, "ss");
  return folded
    .toLowerCase()
    .split(unicode ? /[^\p{L}\p{N}]+/u : /[^a-z0-9]+/)
    .filter(Boolean);
}

export type PreviewInput = {
  template: string;
  language: string;
  brand: string;
  keywords: readonly string[];
  caseStyle: string;
  unicode: boolean;
  maxLength: number;
};

/** An example filename for a template, or null when the template is empty or invalid. */
export function templatePreview(input: PreviewInput, knownFields: readonly string[]): string | null {
  if (!input.template.trim() || templateProblem(input.template, knownFields)) return null;
  const picture = SAMPLE_PICTURE[input.language] ?? SAMPLE_PICTURE.en!;
  const values: Record<string, string> = {
    ...SAMPLE_FILE,
    ...picture,
    brand: input.brand,
    keyword: input.keywords[0] ?? "",
    keyword2: input.keywords[1] ?? "",
    keywords: input.keywords.join(" "),
  };
  const parts: string[][] = [];
  let last = 0;
  for (const match of input.template.matchAll(FIELD)) {
    parts.push(nameWords(input.template.slice(last, match.index), input.unicode)); // literal words stay
    parts.push(nameWords(values[match[1]!.trim().toLowerCase()] ?? "", input.unicode));
    last = match.index + match[0].length;
  }
  parts.push(nameWords(input.template.slice(last), input.unicode));
  const separator = caseStyleSeparator(input.caseStyle);
  const seen = new Set<string>();
  let stem = "";
  for (const word of parts.flat()) {
    if (seen.has(word)) continue; // the server does not repeat a word either
    const candidate = stem ? `${stem}${separator}${word}` : word;
    if (candidate.length > input.maxLength) break;
    seen.add(word);
    stem = candidate;
  }
  return stem ? `${stem}.jpg` : null;
}
