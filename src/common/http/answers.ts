import { RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants.js';
import { ApiResponse } from '@nestjs/swagger';
import { z, ZodType } from 'zod';

/**
 * The OpenAPI document's side of the zod views routes answer with. A view is a zod schema; `@Answers(view)` both
 * documents a route's 2xx body with it and makes the route's return type a compile error when it is not the view's:
 * what a route returns and what the document (and the web app's client generated from it) says cannot drift.
 */

// JSON Schema objects as @nestjs/swagger takes them (it does not export its SchemaObject type).
type SchemaObject = Record<string, unknown>;

// What JSON makes of a value: the answer is serialized, so a Date the code returns is the view's ISO string.
type Serialized<T> = T extends Date
  ? string
  : T extends (infer U)[]
    ? Serialized<U>[]
    : T extends object
      ? { [K in keyof T]: Serialized<T[K]> }
      : T;

type Leaf = string | number | boolean | bigint | symbol | null | undefined | Date;
type AnyKey<V> = V extends unknown ? keyof V : never;
type At<V, K> = V extends unknown ? (K extends keyof V ? V[K] : never) : never;
// The fields the route returns that the view does not describe, at any depth (each view of a union counts).
type Undescribed<R, V> = R extends Leaf
  ? never
  : R extends readonly (infer U)[]
    ? Undescribed<U, V extends readonly (infer W)[] ? W : never>
    : { [K in keyof R]-?: K extends AnyKey<V> ? Undescribed<R[K], At<V, K>> : K }[keyof R];

// A route fits its view when what it returns is the view's type (types, required fields) and has no field more.
type Fits<R, V> = [Serialized<R>] extends [V] ? ([Undescribed<R, V>] extends [never] ? true : { undescribedFields: Undescribed<R, V> }) : { notTheView: V };

/** JSON Schema of a view as it appears in an answer; named views (`.meta({id})`) come out as `definitions`. */
export function answerSchema(view: ZodType): SchemaObject {
  const json = z.toJSONSchema(view, { target: 'openapi-3.0', io: 'output', unrepresentable: 'any' }) as SchemaObject;
  delete json.$schema;
  return json;
}

// The status Nest answers a route with: its @HttpCode, else 201 for POST and 200 for the rest. Read when the
// decorator runs, so @Answers is written above the route's own decorators (decorators apply from the bottom up).
function statusOf(route: object, name: string | symbol): number {
  const code = Reflect.getMetadata(HTTP_CODE_METADATA, route) as number | undefined;
  const method = Reflect.getMetadata(METHOD_METADATA, route) as RequestMethod | undefined;
  if (method === undefined) throw new Error(`@Answers on ${String(name)}: write it above the route's @Get/@Post/... and @HttpCode.`);
  return code ?? (method === RequestMethod.POST ? 201 : 200);
}

/**
 * The route's success answer is `view` (JSON). The route must return exactly the view's type (Dates as the strings
 * JSON makes of them); `description` says when it is given.
 */
export function Answers<S extends ZodType>(view: S, description = '') {
  return <R extends (...args: never[]) => unknown>(
    target: object,
    name: string | symbol,
    descriptor: TypedPropertyDescriptor<R> & (Fits<Awaited<ReturnType<R>>, z.output<S>> extends true ? unknown : Fits<Awaited<ReturnType<R>>, z.output<S>>),
  ): void => {
    const route = descriptor.value as object;
    ApiResponse({ status: statusOf(route, name), description, schema: answerSchema(view) as never })(target, name, descriptor);
  };
}

/** What a route that writes its answer itself (`@Res()`) sends: per content type, a view, or text or bytes. */
export function SendsAnswer(contents: Record<string, ZodType | 'text' | 'bytes'>, description = '', status?: number): MethodDecorator {
  return (target, name, descriptor) => {
    const content = Object.fromEntries(
      Object.entries(contents).map(([type, body]) => [
        type,
        { schema: body === 'text' ? { type: 'string' } : body === 'bytes' ? { type: 'string', format: 'binary' } : answerSchema(body) },
      ]),
    );
    ApiResponse({ status: status ?? statusOf(descriptor.value as object, name), description, content })(target, name, descriptor);
  };
}

// The part of an OpenAPI document the check reads: operations by path and method, their answers by status.
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const answered = z.object({ responses: z.record(z.string(), z.object({ content: z.record(z.string(), z.object({ schema: z.unknown().optional() })).optional() })).default({}) });
const documentPaths = z.object({ paths: z.record(z.string(), z.object(Object.fromEntries(HTTP_METHODS.map((method) => [method, answered.optional()])))) });

/**
 * Moves the named views each answer carries (`definitions`) into `components.schemas`, once each, and points the
 * references there: the web app's client gets one type per view (`components['schemas']['Conversation']`).
 * Two different views under one name stop the document.
 */
export function collectNamedViews<D extends { paths: object; components?: { schemas?: object } }>(document: D): D {
  const named: Record<string, unknown> = { ...(document.components?.schemas as Record<string, unknown> | undefined) };
  const found = new Map<string, string>();
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value).flatMap(([key, inner]): [string, unknown][] => {
      if (key === 'definitions' && inner && typeof inner === 'object') {
        for (const [id, schema] of Object.entries(inner)) {
          const text = JSON.stringify(rewrite(schema));
          if (found.has(id) && found.get(id) !== text) throw new Error(`Two different answer views are named ${id}.`);
          found.set(id, text);
          named[id] = JSON.parse(text);
        }
        return [];
      }
      if (key === '$ref' && typeof inner === 'string') return [[key, inner.replace('#/definitions/', '#/components/schemas/')]];
      return [[key, rewrite(inner)]];
    });
    return Object.fromEntries(entries);
  };
  const paths = rewrite(document.paths) as D['paths'];
  const sorted = Object.fromEntries(Object.keys(named).sort().map((id) => [id, named[id]]));
  return { ...document, paths, components: { ...document.components, schemas: sorted } };
}

/**
 * The operations whose success answer is not described: a 2xx other than 204 without a schema for each content
 * type, or no 2xx at all. `npm run openapi:check` refuses a document that has any.
 */
export function undescribedAnswers(document: unknown): string[] {
  const missing: string[] = [];
  for (const [path, item] of Object.entries(documentPaths.parse(document).paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!operation) continue;
      const name = `${method.toUpperCase()} ${path}`;
      const successes = Object.entries(operation.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
      // A route that answers by sending the client elsewhere (a product card's link) describes its redirect instead.
      const redirects = Object.keys(operation.responses ?? {}).filter((status) => /^30[12378]$/.test(status));
      if (successes.length === 0 && redirects.length === 0) missing.push(`${name}: no 2xx answer`);
      for (const [status, response] of successes) {
        if (status === '204') continue;
        const contents = Object.entries(response.content ?? {});
        if (contents.length === 0 || contents.some(([, media]) => media.schema === undefined)) missing.push(`${name}: ${status} has no schema`);
      }
    }
  }
  return missing;
}
