// Subscription events without a full `execute` each. graphql-tools' executor runs the whole
// selection set for every event of a subscription (collecting fields, building resolve info,
// promise-aware completion, then an async generator and a flattening iterator per event): most of
// what GraphQL costs per event over OpenAI SSE (bench README, issue #17 item 3). So when a
// subscription starts, this plans its selection once. Where every field it selects is a property
// read (graphql's default resolver) or a resolver known to read only its first argument, completed
// as `execute` completes it (scalars and enums through their `serialize`, lists, objects,
// `__typename`, aliases, fragments, @skip/@include), each event is projected straight into the
// result `execute` gives, field for field and in the same order. Anything else (a field with its
// own resolver, a value the plan is unsure of, an error, a null in a non-null position) goes to the
// executor event by event: the source hands the event back (subscriptionStream.ts) and the
// executor's own stream reads and executes it, so errors keep their exact shape, path and masking.
import {
  defaultFieldResolver,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLAbstractType,
  GraphQLIncludeDirective,
  type GraphQLLeafType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  getDirectiveValues,
  getOperationAST,
  getVariableValues,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type NamedTypeNode,
  type SelectionNode,
  type SelectionSetNode,
  typeFromAST,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { eventTypeName } from "./generation.js";
import { eventOrThrow, type SubscriptionSource, takeSubscriptionSource } from "./subscriptionStream.js";

/** What a projection returns when the executor must handle the event instead. */
const UNPLANNED = Symbol("unplanned");
type Projection = (value: unknown) => unknown;

/** This schema's resolvers that read nothing but their first argument: the plan calls them with it alone. */
const VALUE_ONLY_RESOLVERS: ReadonlySet<unknown> = new Set([eventOrThrow, eventTypeName]);

/** Replaces the executor's subscribe with one that projects the events a plan covers. */
export function usePlannedSubscriptionEvents(): Plugin {
  return {
    onSubscribe({ subscribeFn, setSubscribeFn }) {
      setSubscribeFn((args) => {
        const project = planSubscriptionEvents(args);
        if (!project) return subscribeFn(args);
        const context = args.contextValue as object;
        // Forget any source an earlier operation left under this context: the one to take is this one's.
        takeSubscriptionSource(context);
        return Promise.resolve(subscribeFn(args)).then((responses) => {
          const source = takeSubscriptionSource(context);
          return source && isAsyncIterator(responses)
            ? plannedResponses(source, responses, project)
            : responses;
        });
      });
    },
  };
}

/**
 * The executor's response stream, except that the events `project` covers are read from the source
 * here. The others are handed back to the source for the executor's stream to read and execute.
 * (The source never rejects: a stream's failure is an item, StreamFailure, which the plan leaves to
 * the executor.)
 */
function plannedResponses(
  source: SubscriptionSource<unknown>,
  responses: AsyncIterator<ExecutionResult>,
  project: EventProjection,
): AsyncIterableIterator<ExecutionResult> {
  return {
    async next() {
      const item = await source.next();
      if (item.done) return item;
      const result = project(item.value);
      if (result) return { done: false, value: result };
      source.replay(item.value);
      return responses.next();
    },
    return: () => responses.return?.() ?? Promise.resolve({ done: true, value: undefined }),
    throw: (error) => responses.throw?.(error) ?? Promise.reject(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function isAsyncIterator(value: unknown): value is AsyncIterator<ExecutionResult> {
  return typeof (value as AsyncIterator<unknown> | undefined)?.next === "function";
}

/** An event's result as `execute` gives it, or undefined when the executor must handle the event. */
export type EventProjection = (event: unknown) => ExecutionResult | undefined;

/** The projection of the operation's events, or undefined when the plan does not cover its selection. */
export function planSubscriptionEvents(args: ExecutionArgs): EventProjection | undefined {
  const { schema, document, contextValue } = args;
  const operation = getOperationAST(document, args.operationName);
  const rootType = schema.getSubscriptionType();
  if (operation?.operation !== "subscription" || !rootType) return undefined;
  const variables = getVariableValues(schema, operation.variableDefinitions ?? [], args.variableValues ?? {});
  if (!variables.coerced) return undefined;
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  const planner = new SelectionPlanner(schema, fragments, variables.coerced, contextValue);

  const rootFields = planner.collect(rootType, [operation.selectionSet]);
  if (rootFields?.size !== 1) return undefined;
  const [[responseName, fieldNodes]] = rootFields;
  const field = rootType.getFields()[fieldNodes[0].name.value];
  // Its arguments coerced when the stream started, from the same variables: they do again per event.
  if (!field || !VALUE_ONLY_RESOLVERS.has(field.resolve)) return undefined;
  const resolve = field.resolve as (event: unknown) => unknown;
  const complete = planner.plan(field.type, fieldNodes);
  if (!complete) return undefined;
  const signal = (args as { signal?: AbortSignal }).signal;
  return (event) => {
    if (signal?.aborted) return undefined;
    try {
      const value = complete(resolve(event));
      return value === UNPLANNED ? undefined : { data: { [responseName]: value } };
    } catch {
      return undefined;
    }
  };
}

/** Compiles projections of one operation's selections, completing values as graphql-tools' executor does. */
class SelectionPlanner {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly fragments: Record<string, FragmentDefinitionNode>,
    private readonly variables: Record<string, unknown>,
    private readonly contextValue: unknown,
  ) {}

  /** How a value of `type` selected by `fieldNodes` completes; undefined when the plan cannot do it exactly. */
  plan(type: GraphQLOutputType, fieldNodes: readonly FieldNode[]): Projection | undefined {
    if (isNonNullType(type)) {
      const complete = this.plan(type.ofType, fieldNodes);
      return (
        complete &&
        ((value) => {
          const completed = complete(value);
          return completed === null ? UNPLANNED : completed;
        })
      );
    }
    const complete = this.planNonNull(type, fieldNodes);
    return (
      complete &&
      ((value) => {
        if (value === null || value === undefined) return null;
        if (value instanceof Error || isThenable(value)) return UNPLANNED;
        return complete(value);
      })
    );
  }

  /** How a value that is neither null nor an error nor a promise completes. */
  private planNonNull(type: GraphQLOutputType, fieldNodes: readonly FieldNode[]): Projection | undefined {
    if (isListType(type)) {
      const completeItem = this.plan(type.ofType, fieldNodes);
      return (
        completeItem && ((value) => (Array.isArray(value) ? completeList(value, completeItem) : UNPLANNED))
      );
    }
    if (isLeafType(type)) return (value) => serializeLeaf(type, value);
    if (isObjectType(type)) return this.planObject(type, fieldNodes);
    return this.planAbstract(type, fieldNodes);
  }

  private planAbstract(type: GraphQLAbstractType, fieldNodes: readonly FieldNode[]): Projection | undefined {
    const { resolveType } = type;
    const configured = (type.extensions as { pothosOptions?: { resolveType?: unknown } }).pothosOptions;
    if (!resolveType || !VALUE_ONLY_RESOLVERS.has(configured?.resolveType)) return undefined;
    const byTypeName = new Map<string, Projection | undefined>();
    for (const possibleType of this.schema.getPossibleTypes(type))
      byTypeName.set(possibleType.name, this.planObject(possibleType, fieldNodes));
    const { contextValue } = this;
    return (value) => {
      // Pothos' resolveType passes `info` only to the configured resolver, which reads only the value.
      const typeName = resolveType(value, contextValue, undefined as never, type);
      const complete = typeof typeName === "string" ? byTypeName.get(typeName) : undefined;
      return complete ? complete(value) : UNPLANNED;
    };
  }

  private planObject(type: GraphQLObjectType, fieldNodes: readonly FieldNode[]): Projection | undefined {
    if (type.isTypeOf) return undefined;
    const selected = this.collect(
      type,
      fieldNodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : [])),
    );
    if (!selected) return undefined;
    const fields: { responseName: string; read: Projection; complete: Projection }[] = [];
    for (const [responseName, nodes] of selected) {
      const fieldName = nodes[0].name.value;
      if (fieldName === "__typename") {
        fields.push({ responseName, read: () => type.name, complete: (name) => name });
        continue;
      }
      const field = type.getFields()[fieldName];
      if (!field || field.args.length > 0) return undefined;
      const read = propertyRead(fieldName, field.resolve);
      const complete = read && this.plan(field.type, nodes);
      if (!read || !complete) return undefined;
      fields.push({ responseName, read, complete });
    }
    return (value) => {
      if (typeof value !== "object") return UNPLANNED;
      const result: Record<string, unknown> = {};
      for (const { responseName, read, complete } of fields) {
        const fieldValue = read(value);
        if (typeof fieldValue === "function") return UNPLANNED;
        const completed = complete(fieldValue);
        if (completed === UNPLANNED) return UNPLANNED;
        result[responseName] = completed;
      }
      return result;
    };
  }

  /**
   * The fields a selection of `runtimeType` executes, by response name in execution order, as
   * graphql-tools' collectFields finds them; undefined when a directive other than @skip/@include
   * (such as @defer), or a response name the plan would not write as is, is in the way.
   */
  collect(
    runtimeType: GraphQLObjectType,
    selectionSets: readonly SelectionSetNode[],
  ): Map<string, FieldNode[]> | undefined {
    const fields = new Map<string, FieldNode[]>();
    const visitedFragments = new Set<string>();
    const collectInto = (selectionSet: SelectionSetNode): boolean => {
      for (const selection of selectionSet.selections) {
        const included = this.includes(selection);
        if (included === undefined) return false;
        if (!included) continue;
        if (selection.kind === Kind.FIELD) {
          const responseName = selection.alias?.value ?? selection.name.value;
          if (responseName === "__proto__") return false;
          const nodes = fields.get(responseName);
          if (nodes) nodes.push(selection);
          else fields.set(responseName, [selection]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          if (this.matches(selection.typeCondition, runtimeType) && !collectInto(selection.selectionSet))
            return false;
        } else {
          const name = selection.name.value;
          const fragment = this.fragments[name];
          if (visitedFragments.has(name) || !fragment || !this.matches(fragment.typeCondition, runtimeType))
            continue;
          visitedFragments.add(name);
          if (!collectInto(fragment.selectionSet)) return false;
        }
      }
      return true;
    };
    return selectionSets.every(collectInto) ? fields : undefined;
  }

  /** Whether @skip/@include keep a selection; undefined for other directives or arguments that do not coerce. */
  private includes(selection: SelectionNode): boolean | undefined {
    if (!selection.directives?.length) return true;
    if (selection.directives.some(({ name }) => name.value !== "skip" && name.value !== "include"))
      return undefined;
    try {
      if (getDirectiveValues(GraphQLSkipDirective, selection, this.variables)?.if === true) return false;
      return getDirectiveValues(GraphQLIncludeDirective, selection, this.variables)?.if !== false;
    } catch {
      return undefined;
    }
  }

  private matches(typeCondition: NamedTypeNode | undefined, runtimeType: GraphQLObjectType): boolean {
    if (!typeCondition) return true;
    const conditionType = typeFromAST(this.schema, typeCondition);
    if (conditionType === runtimeType) return true;
    return isAbstractType(conditionType) && this.schema.getPossibleTypes(conditionType).includes(runtimeType);
  }
}

/** How a field's resolver reads its value, when it is graphql's default resolver or a value-only one. */
function propertyRead(fieldName: string, resolve: unknown): Projection | undefined {
  if (resolve === undefined || resolve === defaultFieldResolver)
    return (source) => (source as Record<string, unknown>)[fieldName];
  if (VALUE_ONLY_RESOLVERS.has(resolve)) return resolve as Projection;
  return undefined;
}

function completeList(values: readonly unknown[], completeItem: Projection): unknown {
  const completed: unknown[] = [];
  for (const value of values) {
    const item = completeItem(value);
    if (item === UNPLANNED) return UNPLANNED;
    completed.push(item);
  }
  return completed;
}

/** A scalar or enum serialized as graphql does; a throw or a null (both errors there) leaves it to the executor. */
function serializeLeaf(type: GraphQLLeafType, value: unknown): unknown {
  try {
    return type.serialize(value) ?? UNPLANNED;
  } catch {
    return UNPLANNED;
  }
}

function isThenable(value: unknown): boolean {
  return typeof (value as PromiseLike<unknown>).then === "function";
}
