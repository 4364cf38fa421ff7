/**
 * Names users type are data: a key such as "__proto__", "constructor" or "toString" is set and read as an own
 * property like any other, never as what every object already has.
 */

/** Sets `key` on `target` as its own property, "__proto__" included (plain assignment would change the prototype). */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The own property `key` of `table`, or undefined: never one every object inherits. */
export const ownValue = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined =>
  Object.hasOwn(table, key) ? table[key] : undefined;
