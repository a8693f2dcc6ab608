/** `["--flag", "value"]` when the value is set, else nothing. */
export function flag(name: string, value: string | number | undefined | null): string[] {
  return value === undefined || value === null ? [] : [name, String(value)];
}
