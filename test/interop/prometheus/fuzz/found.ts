/**
 * Every disagreement with promtool 2.42 that differential fuzzing (or a
 * user) ever found, with promtool's verdict: fixed cases that stay checked.
 */
export const FOUND: readonly { readonly expr: string; readonly valid: boolean }[] = [
  // Postfix operators bind tighter than any binary or unary operator.
  { expr: 'a - b offset 10m >= 1', valid: true },
  { expr: 'a ^ b offset 5m', valid: true },
  { expr: '-a offset 5m', valid: true },
  { expr: 'a - b @ 10 offset 5m', valid: true },
  { expr: 'a > bool b offset 5m', valid: true },
  { expr: 'sum(x) - b offset 5m', valid: true },
  { expr: 'a - sum(b) offset 5m', valid: false },
  { expr: 'a - (b) offset 5m', valid: false },
  { expr: 'a - b[5m] offset 5m', valid: false },
  { expr: 'a - b [5m:1m] offset 5m', valid: false },
  // `offset` is a metric name where an operand belongs.
  { expr: 'offset{a = "",b !=  "x y"}', valid: true },
  { expr: 'offset offset 1h', valid: true },
  { expr: 'a + offset', valid: true },
  { expr: 'max(offset)', valid: true },
  { expr: 'rate(offset[5m])', valid: true },
  { expr: 'OFFSET{}', valid: true },
  { expr: 'clamp(by offset 250ms unless on(__name__) start{}, 80, -0.5)', valid: true },
  { expr: 'atan2', valid: false },
  { expr: 'unless offset 250ms', valid: true },
  { expr: 'a > bool offset', valid: true },
  { expr: 'stdvar(max by (job) (sum_x)) without(_x) or offset{}', valid: true },
  { expr: 'sum by (a) (x) + on(a) group_left (b) offset', valid: true },
  // Literals as Go's lexer reads them.
  { expr: 'start{offset =~ "(|a)",_x !=\n"\\777"}', valid: false },
  { expr: 'up{a="\\uD800"}', valid: false },
  { expr: '+vector(3.)', valid: true },
  { expr: '(1e400)', valid: false },
  { expr: 'a <=- NaN', valid: true },
  { expr: "'\\'x:y:z", valid: false },
  { expr: '1 + 0.5atan2 (up)', valid: false },
  { expr: '(up{} @ 1e33 offset 1y)', valid: false },
  // Durations and regexes.
  { expr: '{_x= "api",b!="é"} offset 0s unless b', valid: false },
  { expr: "{instance=~ '(a{10}){101}'}", valid: false },
  { expr: 'up{job=~"((a{100}){100}){100}"}', valid: false },
  { expr: 'up{job=~"(a{2,}){500}"}', valid: true },
  { expr: "{offset  =~ '(?)x'} @ 100 atan2 0", valid: true },
  { expr: "up{a=~'(?i-)x'}", valid: false },
  { expr: `up{job=~"${'('.repeat(998)}a${')'.repeat(998)}"}`, valid: true },
  { expr: `up{job=~"${'('.repeat(999)}a${')'.repeat(999)}"}`, valid: false },
];
