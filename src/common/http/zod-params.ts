import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { z, ZodObject, ZodType } from 'zod';
import { parseInput } from './validation.js';

// @nestjs/swagger does not export its SchemaObject type; JSON Schema from zod fits it.
type SchemaObject = Record<string, unknown>;

/** JSON Schema of a zod schema for the OpenAPI description (the same schema that validates the request). */
export function openApiSchema(schema: ZodType): SchemaObject {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

// The schema travels wrapped: Nest takes any decorator argument with a `transform` method (as zod schemas
// have) for a pipe, and an object holding a Standard Schema under `schema` for its own validation options.
const bodyParam = createParamDecorator(({ zod }: { zod: ZodType }, context: ExecutionContext) =>
  parseInput(zod, context.switchToHttp().getRequest<{ body?: unknown }>().body),
);
const queryParam = createParamDecorator(({ zod }: { zod: ZodType }, context: ExecutionContext) =>
  parseInput(zod, context.switchToHttp().getRequest<{ query?: unknown }>().query),
);

/** The request body parsed by `schema` (unknown fields refused when the schema is strict), documented in OpenAPI. */
export function ValidBody(schema: ZodType): ParameterDecorator {
  return (target, key, index) => {
    bodyParam({ zod: schema })(target, key, index);
    if (key !== undefined) {
      ApiBody({ schema: openApiSchema(schema) as never })(target, key, Object.getOwnPropertyDescriptor(target, key)!);
    }
  };
}

/** The query string parsed by `schema`, each field documented in OpenAPI. */
export function ValidQuery(schema: ZodObject): ParameterDecorator {
  return (target, key, index) => {
    queryParam({ zod: schema })(target, key, index);
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key)!;
    const properties = (openApiSchema(schema).properties ?? {}) as Record<string, SchemaObject>;
    for (const [name, property] of Object.entries(properties)) {
      ApiQuery({ name, required: false, schema: property as never })(target, key, descriptor);
    }
  };
}
