/**
 * Secrets pasted into labels and annotations, where every notification and
 * every log would carry them. Each detector has a sensitivity; what is
 * reported shows only the first characters of the secret.
 */

import { SECRET_MASK } from '../constants.js';
import type { Sensitivity } from './result.js';

/** What kind of secret a match is. */
export type SecretKind =
  | 'private_key'
  | 'aws_access_key'
  | 'aws_secret_key'
  | 'github_token'
  | 'slack_token'
  | 'slack_webhook'
  | 'jwt'
  | 'bearer_token'
  | 'url_credentials'
  | 'password_assignment'
  | 'high_entropy';

/** One detected secret. */
export interface SecretMatch {
  readonly kind: SecretKind;
  readonly sensitivity: Sensitivity;
  /** The match, masked: its first characters and `**********`. */
  readonly masked: string;
  readonly index: number;
}

interface Detector {
  readonly kind: SecretKind;
  readonly sensitivity: Sensitivity;
  readonly re: RegExp;
  /** Characters of the match shown before the mask. */
  readonly show: number;
}

const DETECTORS: readonly Detector[] = [
  {
    kind: 'private_key',
    sensitivity: 'critical',
    re: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/,
    show: 11,
  },
  {
    kind: 'aws_secret_key',
    sensitivity: 'critical',
    re: /\baws_?secret_?(?:access_?)?key\s*["']?\s*[=:]\s*["']?[A-Za-z0-9/+]{40}\b/i,
    show: 10,
  },
  {
    kind: 'aws_access_key',
    sensitivity: 'high',
    re: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b/,
    show: 4,
  },
  {
    kind: 'github_token',
    sensitivity: 'high',
    re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/,
    show: 4,
  },
  { kind: 'slack_token', sensitivity: 'high', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/, show: 5 },
  {
    kind: 'slack_webhook',
    sensitivity: 'high',
    re: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{16,}/,
    show: 32,
  },
  {
    kind: 'jwt',
    sensitivity: 'high',
    re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/,
    show: 6,
  },
  {
    kind: 'bearer_token',
    sensitivity: 'high',
    re: /\bbearer\s+[A-Za-z0-9._~+/-]{16,}=*/i,
    show: 7,
  },
  {
    kind: 'url_credentials',
    sensitivity: 'high',
    re: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s/@]{3,}@/i,
    show: 8,
  },
  {
    kind: 'password_assignment',
    sensitivity: 'high',
    // A template (`{{ ... }}`) or an obvious placeholder is not a secret.
    re: /\b(?:password|passwd|pwd|pass|secret|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret)\s*["']?\s*[=:]\s*["']?(?!\{\{|\*{3}|<|\$\{|x{3})[^\s"'&,;]{4,}/i,
    show: 0,
  },
];

/** Bits per character of a string's character distribution. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Candidate tokens for the entropy test: long runs of base64/url-safe characters. */
const TOKEN = /[A-Za-z0-9+/_=-]{32,}/g;

function mask(text: string, show: number): string {
  // The keyword of an assignment is safe to show; its value is not.
  if (show === 0) {
    const sep = text.search(/[=:]/);
    return `${text.slice(0, sep + 1)}${SECRET_MASK}`;
  }
  return `${text.slice(0, show)}${SECRET_MASK}`;
}

/** Options of {@link findSecrets}. */
export interface FindSecretsOptions {
  /** Minimum entropy (bits per character) of a 32+ character token to be reported; default 4.3. */
  readonly entropyThreshold?: number;
}

/**
 * Finds secrets in one text: at most one match per kind, strongest first.
 * Generic high-entropy tokens (`medium`) are reported only when nothing more
 * specific matched; hex strings (hashes, ids) are not counted as secrets.
 *
 * @example
 * ```ts
 * findSecrets('key AKIAIOSFODNN7EXAMPLE');
 * // [{ kind: 'aws_access_key', sensitivity: 'high', masked: 'AKIA**********', index: 4 }]
 * ```
 */
export function findSecrets(text: string, options: FindSecretsOptions = {}): SecretMatch[] {
  const out: SecretMatch[] = [];
  for (const d of DETECTORS) {
    const m = d.re.exec(text);
    if (m !== null)
      out.push({
        kind: d.kind,
        sensitivity: d.sensitivity,
        masked: mask(m[0], d.show),
        index: m.index,
      });
  }
  if (out.length > 0 || text.length < 32) return out;
  const threshold = options.entropyThreshold ?? 4.3;
  for (const m of text.matchAll(TOKEN)) {
    const token = m[0];
    if (/^[0-9a-fA-F-]+$/.test(token)) continue;
    // Real tokens mix classes; a long word or path does not.
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((re) => re.test(token)).length;
    if (classes < 3 || shannonEntropy(token) < threshold) continue;
    out.push({
      kind: 'high_entropy',
      sensitivity: 'medium',
      masked: mask(token, 4),
      index: m.index,
    });
    break;
  }
  return out;
}
