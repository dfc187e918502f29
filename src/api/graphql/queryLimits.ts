// Validation rules that bound what one document may ask for: how deep it nests, and how many root
// fields (aliases included) it selects. A document that breaks them fails validation and never
// reaches a resolver.
import {
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from "graphql";
import type { Plugin } from "graphql-yoga";

export interface QueryLimits {
  /** Nesting of field selections; `{ a { b } }` is 2 deep. */
  maxDepth: number;
  /** Field selections at the root of one operation, aliases of one field counted apart. */
  maxRootFields: number;
}

/**
 * Far deeper than any query of today's schema needs (it has no cycles; its deepest path is 4), so
 * the depth limit guards the schema as it grows cycles. Introspection is not counted: graphql's own
 * MaxIntrospectionDepthRule (in the specified rules) bounds it, and GraphiQL's introspection query
 * alone nests `ofType` nine times, deeper than any limit meant for the schema's own fields.
 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 12, maxRootFields: 10 };

/** Adds both rules to validation, over HTTP and WebSocket alike (both validate through yoga's envelop). */
export function useQueryLimits(limits: QueryLimits): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(maxDepthRule(limits.maxDepth));
      addValidationRule(maxRootFieldsRule(limits.maxRootFields));
    },
  };
}

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;

export function maxDepthRule(maxDepth: number): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context.getDocument().definitions);
    return {
      OperationDefinition(operation: OperationDefinitionNode) {
        const depth = selectionDepth(operation.selectionSet, fragments, new Map());
        if (depth > maxDepth)
          context.reportError(
            new GraphQLError(
              `${operationLabel(operation)} is ${depth} levels deep; the maximum is ${maxDepth}.`,
              { nodes: [operation], extensions: { code: "QUERY_TOO_DEEP", depth, maxDepth } },
            ),
          );
      },
    };
  };
}

export function maxRootFieldsRule(maxRootFields: number): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context.getDocument().definitions);
    return {
      OperationDefinition(operation: OperationDefinitionNode) {
        const count = rootFieldCount(operation.selectionSet, fragments, new Set());
        if (count > maxRootFields)
          context.reportError(
            new GraphQLError(
              `${operationLabel(operation)} selects ${count} root fields; the maximum is ${maxRootFields}.`,
              { nodes: [operation], extensions: { code: "TOO_MANY_ROOT_FIELDS", count, maxRootFields } },
            ),
          );
      },
    };
  };
}

function fragmentsOf(definitions: readonly { kind: Kind }[]): Fragments {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      const fragment = definition as FragmentDefinitionNode;
      fragments.set(fragment.name.value, fragment);
    }
  return fragments;
}

/**
 * Deepest field nesting under a selection set, following fragments; an introspection field
 * (`__schema`, `__type`, `__typename`) counts as one level. Each fragment's depth is
 * computed once (so reuse cannot blow up); a fragment cycle counts as 0 here and is reported by
 * graphql's own NoFragmentCyclesRule.
 */
function selectionDepth(
  selectionSet: SelectionSetNode,
  fragments: Fragments,
  fragmentDepths: Map<string, number | "visiting">,
): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const introspection = selection.name.value.startsWith("__");
      const below =
        selection.selectionSet && !introspection
          ? selectionDepth(selection.selectionSet, fragments, fragmentDepths)
          : 0;
      deepest = Math.max(deepest, 1 + below);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, fragmentDepths));
    } else {
      const name = selection.name.value;
      const known = fragmentDepths.get(name);
      if (known === "visiting") continue;
      if (known !== undefined) {
        deepest = Math.max(deepest, known);
        continue;
      }
      const fragment = fragments.get(name);
      if (!fragment) continue;
      fragmentDepths.set(name, "visiting");
      const depth = selectionDepth(fragment.selectionSet, fragments, fragmentDepths);
      fragmentDepths.set(name, depth);
      deepest = Math.max(deepest, depth);
    }
  }
  return deepest;
}

function rootFieldCount(selectionSet: SelectionSetNode, fragments: Fragments, spread: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) count += selection.name.value === "__typename" ? 0 : 1;
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      count += rootFieldCount(selection.selectionSet, fragments, spread);
    else {
      const fragment = fragments.get(selection.name.value);
      // A fragment spread twice at the root selects the same fields: count it once.
      if (!fragment || spread.has(fragment.name.value)) continue;
      spread.add(fragment.name.value);
      count += rootFieldCount(fragment.selectionSet, fragments, spread);
    }
  }
  return count;
}

function operationLabel(operation: OperationDefinitionNode): string {
  return operation.name ? `Operation '${operation.name.value}'` : "The operation";
}
