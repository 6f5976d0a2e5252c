/**
 * Names a function the way a user reads it (istanbul's rules, extended): `Class.method`,
 * `get Class.prop`, arrows by the variable or property they are assigned to, and
 * `(anonymous:LINE)` when nothing names them. Works on ESTree: a method is a FunctionExpression that
 * is the value of a MethodDefinition (class) or of a Property (object literal).
 */
import type { Node, Function as FunctionNode, PropertyKey } from '@oxc-project/types';

/** The chain of ancestors of a node, nearest last. */
export type Ancestors = readonly Node[];

/** `line`: where the function starts (for the anonymous name). */
export function functionName(fn: Node, ancestors: Ancestors, source: string, line: number): string {
  if ((fn.type === 'FunctionDeclaration' || fn.type === 'FunctionExpression') && (fn as FunctionNode).id)
    return (fn as FunctionNode).id!.name;
  const parent = ancestors[ancestors.length - 1];
  const inferred = parent ? nameFromParent(fn, parent, ancestors, source) : undefined;
  return inferred ?? `(anonymous:${line})`;
}

/** The node whose start is where a user sees the function start: a method's definition, else the function. */
export function functionStart(fn: Node, parent: Node | undefined): number {
  if (parent?.type === 'MethodDefinition' || parent?.type === 'TSAbstractMethodDefinition') return parent.start;
  if (parent?.type === 'Property' && parent.value === fn && (parent.method || parent.kind !== 'init')) return parent.start;
  return fn.start;
}

function methodName(kind: string, owner: string | undefined, key: string): string {
  const prefix = kind === 'get' ? 'get ' : kind === 'set' ? 'set ' : '';
  return prefix + (owner ? `${owner}.${key}` : key);
}

function nameFromParent(fn: Node, parent: Node, ancestors: Ancestors, source: string): string | undefined {
  switch (parent.type) {
    case 'MethodDefinition':
    case 'TSAbstractMethodDefinition':
      return methodName(parent.kind, className(ancestors.slice(0, -1), source), keyText(parent.key, source));
    case 'VariableDeclarator':
      return parent.id.type === 'Identifier' && parent.init === fn ? parent.id.name : undefined;
    case 'AssignmentExpression':
      return parent.right === fn ? slice(parent.left, source) : undefined;
    case 'AssignmentPattern':
      return parent.right === fn && parent.left.type === 'Identifier' ? parent.left.name : undefined;
    case 'Property': {
      if (parent.value !== fn) return undefined;
      const owner = objectName(ancestors.slice(0, -1), source);
      return methodName(parent.kind, owner, keyText(parent.key, source));
    }
    case 'PropertyDefinition':
    case 'AccessorProperty': {
      const owner = className(ancestors.slice(0, -1), source);
      const key = keyText(parent.key, source);
      return owner ? `${owner}.${key}` : key;
    }
    case 'ExportDefaultDeclaration':
      return 'default';
    case 'ParenthesizedExpression':
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
    case 'TSNonNullExpression':
      return ancestors.length > 1 ? nameFromParent(parent, ancestors[ancestors.length - 2], ancestors.slice(0, -1), source) : undefined;
  }
  return undefined;
}

/** The name of the class whose body is the nearest ancestor. */
function className(ancestors: Ancestors, source: string): string | undefined {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const node = ancestors[i];
    if (node.type === 'ClassDeclaration' || node.type === 'ClassExpression') {
      if (node.id) return node.id.name;
      const parent = ancestors[i - 1];
      if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
      if (parent?.type === 'AssignmentExpression') return slice(parent.left, source);
      if (parent?.type === 'ExportDefaultDeclaration') return 'default';
      return undefined;
    }
  }
  return undefined;
}

/** The name of an object literal, when the nearest ancestor object is assigned to something named. */
function objectName(ancestors: Ancestors, source: string): string | undefined {
  const object = ancestors[ancestors.length - 1];
  if (object?.type !== 'ObjectExpression') return undefined;
  const parent = ancestors[ancestors.length - 2];
  if (parent?.type === 'VariableDeclarator' && parent.id.type === 'Identifier') return parent.id.name;
  if (parent?.type === 'AssignmentExpression') return slice(parent.left, source);
  if (parent?.type === 'Property') {
    const outer = objectName(ancestors.slice(0, -2), source);
    const key = keyText(parent.key, source);
    return outer ? `${outer}.${key}` : key;
  }
  return undefined;
}

function keyText(key: PropertyKey, source: string): string {
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'PrivateIdentifier') return `#${key.name}`;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return `[${slice(key, source)}]`;
}

function slice(node: Node, source: string): string {
  const text = source.slice(node.start, node.end);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text.replace(/\s+/g, ' ');
}
