/**
 * Which statements can allocate, read from the syntax alone: under statement sampling (`memtrace run
 * --alloc`) the transform leaves the line probe out before a statement that cannot. The bytes between
 * two probes go to the statement of the first, so a statement that allocates nothing adds nothing to
 * the one before it; and every probe left out is one place less where V8's optimizing compiler must
 * keep a call (a call there stops it from keeping loaded fields across statements: the probes'
 * presence, not their work, was most of `--alloc`'s cost).
 *
 * Conservative where it matters: a call, `new`, a literal that makes an object, an array, a function,
 * a class or a regular expression, a template with substitutions, `+` and `+=` (string
 * concatenation), spread, destructuring, `delete`, `yield` and `await` can allocate. Two things are
 * taken not to: a getter or valueOf run by reading a property or by arithmetic (rare in code that
 * matters, and the statement is then charged to the one before it), and the box of a floating-point
 * result (a HeapNumber of 16 bytes).
 */
import type { Expression, IfStatement, Node, Statement } from '@oxc-project/types';

/** Whether a statement may allocate before the next probe (conservatively true when unsure). */
export function mayAllocate(statement: Statement): boolean {
  switch (statement.type) {
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'EmptyStatement':
    case 'DebuggerStatement':
      return false;
    case 'ExpressionStatement':
      return !isPlain(statement.expression);
    case 'ReturnStatement':
      return statement.argument !== null && !isPlain(statement.argument);
    case 'VariableDeclaration':
      return !statement.declarations.every((d) => d.id.type === 'Identifier' && (d.init === null || isPlain(d.init)));
    case 'IfStatement':
      return !plainIf(statement);
    default:
      return true;
  }
}

/**
 * An `if` whose tests allocate nothing and whose branches are blocks (with probes of their own). A
 * branch without braces has no probe: what it allocates would count for the `if`.
 */
function plainIf(statement: IfStatement): boolean {
  if (!isPlain(statement.test) || statement.consequent.type !== 'BlockStatement') return false;
  const alternate = statement.alternate;
  if (alternate === null || alternate.type === 'BlockStatement') return true;
  return alternate.type === 'IfStatement' && plainIf(alternate);
}

/** An expression that allocates nothing (see the module's comment for what is taken not to). */
export function isPlain(node: Expression | Node | null): boolean {
  if (node === null) return true;
  const n = node as Node & Record<string, unknown>;
  switch (n.type) {
    case 'Identifier':
    case 'ThisExpression':
    case 'Super':
    case 'PrivateIdentifier':
      return true;
    case 'Literal':
      return n.regex == null;
    case 'TemplateLiteral':
      return (n.expressions as unknown[]).length === 0;
    case 'MemberExpression':
      return isPlain(n.object as Node) && (!n.computed || isPlain(n.property as Node));
    case 'ChainExpression':
    case 'ParenthesizedExpression':
    case 'TSAsExpression':
    case 'TSSatisfiesExpression':
    case 'TSNonNullExpression':
    case 'TSTypeAssertion':
      return isPlain(n.expression as Node);
    case 'UnaryExpression':
      return n.operator !== 'delete' && isPlain(n.argument as Node);
    case 'UpdateExpression':
      return isPlain(n.argument as Node);
    case 'BinaryExpression':
      return n.operator !== '+' && isPlain(n.left as Node) && isPlain(n.right as Node);
    case 'LogicalExpression':
      return isPlain(n.left as Node) && isPlain(n.right as Node);
    case 'ConditionalExpression':
      return isPlain(n.test as Node) && isPlain(n.consequent as Node) && isPlain(n.alternate as Node);
    case 'AssignmentExpression': {
      const target = n.left as Node;
      const simpleTarget = target.type === 'Identifier' || target.type === 'MemberExpression';
      return n.operator !== '+=' && simpleTarget && isPlain(target) && isPlain(n.right as Node);
    }
    case 'SequenceExpression':
      return (n.expressions as Node[]).every(isPlain);
    default:
      return false;
  }
}
