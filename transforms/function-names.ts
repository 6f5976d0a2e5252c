/**
 * Names a function the way a user reads it (istanbul's rules, extended): `Class.method`,
 * `get Class.prop`, arrows by the variable or property they are assigned to, and
 * `(anonymous:LINE)` when nothing names them.
 */
import type { Node } from '@babel/types';

/** The chain of ancestors of a node, nearest last. */
export type Ancestors = readonly Node[];

export function functionName(fn: Node, ancestors: Ancestors, source: string): string {
  const parent = ancestors[ancestors.length - 1];
  switch (fn.type) {
    case 'ClassMethod':
    case 'ClassPrivateMethod':
      return methodName(fn.kind, className(ancestors, source), keyText(fn, source));
    case 'ObjectMethod':
      return methodName(fn.kind, objectName(ancestors, source), keyText(fn, source));
    case 'FunctionDeclaration':
    case 'FunctionExpression':
      if (fn.id) return fn.id.name;
      break;
  }
  const inferred = parent ? nameFromParent(fn, parent, ancestors, source) : undefined;
  return inferred ?? `(anonymous:${fn.loc?.start.line ?? 0})`;
}

function methodName(kind: string, owner: string | undefined, key: string): string {
  const prefix = kind === 'get' ? 'get ' : kind === 'set' ? 'set ' : '';
  return prefix + (owner ? `${owner}.${key}` : key);
}

function nameFromParent(fn: Node, parent: Node, ancestors: Ancestors, source: string): string | undefined {
  switch (parent.type) {
    case 'VariableDeclarator':
      return parent.id.type === 'Identifier' && parent.init === fn ? parent.id.name : undefined;
    case 'AssignmentExpression':
      return parent.right === fn ? slice(parent.left, source) : undefined;
    case 'AssignmentPattern':
      return parent.right === fn && parent.left.type === 'Identifier' ? parent.left.name : undefined;
    case 'ObjectProperty': {
      if (parent.value !== fn) return undefined;
      const owner = objectName(ancestors.slice(0, -1), source);
      const key = keyText(parent, source);
      return owner ? `${owner}.${key}` : key;
    }
    case 'ClassProperty':
    case 'ClassPrivateProperty':
    case 'ClassAccessorProperty': {
      const owner = className(ancestors.slice(0, -1), source);
      const key = keyText(parent, source);
      return owner ? `${owner}.${key}` : key;
    }
    case 'ExportDefaultDeclaration':
      return 'default';
    case 'ParenthesizedExpression':
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
    case 'TSNonNullExpression':
      return ancestors.length > 1 ? nameFromParent(parent, ancestors[ancestors.length - 2]!, ancestors.slice(0, -1), source) : undefined;
  }
  return undefined;
}

/** The name of the class whose body is the nearest ancestor. */
function className(ancestors: Ancestors, source: string): string | undefined {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const node = ancestors[i]!;
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
  if (parent?.type === 'ObjectProperty') {
    const outer = objectName(ancestors.slice(0, -2), source);
    const key = keyText(parent, source);
    return outer ? `${outer}.${key}` : key;
  }
  return undefined;
}

interface Keyed { key: Node; computed?: boolean | null }

function keyText(node: Keyed, source: string): string {
  const key = node.key;
  if (key.type === 'Identifier') return key.name;
  if (key.type === 'PrivateName') return `#${key.id.name}`;
  if (key.type === 'StringLiteral') return key.value;
  if (key.type === 'NumericLiteral') return String(key.value);
  return `[${slice(key, source)}]`;
}

function slice(node: Node, source: string): string {
  const text = source.slice(node.start ?? 0, node.end ?? 0);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text.replace(/\s+/g, ' ');
}
