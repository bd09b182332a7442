import { DomainError } from './errors.js';

export const MAX_JSON_DEPTH = 16;

/** Parses a raw JSON body, refusing bad JSON and nesting deeper than MAX_JSON_DEPTH. */
export function parseJsonBody(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) throw new DomainError('invalid_json', 'the request body is empty');
  const text = raw.toString('utf8');
  checkDepth(text);
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError('invalid_json', 'the request body is not valid JSON');
  }
}

/** Counts bracket depth outside strings before parsing, so a hostile body never builds a deep tree. */
function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped char
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) throw new DomainError('json_too_deep', `JSON nesting deeper than ${MAX_JSON_DEPTH}`);
    } else if (c === 125 || c === 93) depth--;
  }
}
