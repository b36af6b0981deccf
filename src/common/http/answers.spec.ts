import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import { z } from 'zod';
import { Answers, collectNamedViews, undescribedAnswers } from './answers.js';

const channelRef = z.object({ id: z.string(), type: z.string() }).meta({ id: 'ChannelRef' });
const thing = z.object({ id: z.string(), channel: channelRef, at: z.string().nullable() }).meta({ id: 'Thing' });

@Controller('things')
class ThingsController {
  @Answers(thing, 'The thing.')
  @Get(':id')
  get() {
    return { id: 't1', channel: { id: 'c1', type: 'line' }, at: null };
  }

  @Answers(z.object({ done: z.boolean() }))
  @Post(':id/done')
  finish() {
    return { done: true };
  }

  @Answers(z.object({ at: z.string() }))
  @HttpCode(202)
  @Post(':id/later')
  later() {
    // A Date the route returns is the string JSON makes of it.
    return Promise.resolve({ at: new Date(0) });
  }
}

function responses(method: keyof ThingsController) {
  return Reflect.getMetadata(DECORATORS.API_RESPONSE, ThingsController.prototype[method]) as Record<string, { description: string; schema: Record<string, unknown> }>;
}

describe('Answers', () => {
  it('documents the answer under the status Nest answers with: @HttpCode, else 201 for POST and 200 otherwise', () => {
    expect(Object.keys(responses('get'))).toEqual(['200']);
    expect(Object.keys(responses('finish'))).toEqual(['201']);
    expect(Object.keys(responses('later'))).toEqual(['202']);
    expect(responses('get')['200'].description).toBe('The thing.');
    expect(responses('finish')['201'].schema).toMatchObject({ type: 'object', properties: { done: { type: 'boolean' } }, required: ['done'] });
  });

  it('refuses to be written below the route decorator, where the status is not known yet', () => {
    expect(() => {
      class Misplaced {
        @Get()
        @Answers(z.object({}))
        read() {
          return {};
        }
      }
      return Misplaced;
    }).toThrow(/above the route/);
  });

  it('makes a route that returns something else than its view a compile error', () => {
    class Drifted {
      // @ts-expect-error the route lacks `at`, which the view promises
      @Answers(z.object({ id: z.string(), at: z.string() }))
      @Get()
      lacks() {
        return { id: 'x' };
      }

      // @ts-expect-error the route returns `secret`, which the view does not describe
      @Answers(z.object({ id: z.string() }))
      @Get()
      adds() {
        return { id: 'x', secret: 'y' };
      }
    }
    expect(Drifted).toBeDefined();
  });
});

describe('collectNamedViews', () => {
  it('moves named views into components.schemas once and points the answers there', () => {
    const one = responses('get')['200'].schema;
    const document: { paths: object; components?: { schemas?: object } } = collectNamedViews({
      paths: {
        '/a': { get: { responses: { '200': { content: { 'application/json': { schema: one } } } } } },
        '/b': { get: { responses: { '200': { content: { 'application/json': { schema: z.toJSONSchema(z.array(thing), { target: 'openapi-3.0' }) } } } } } },
      },
    });
    expect(Object.keys(document.components!.schemas!)).toEqual(['ChannelRef', 'Thing']);
    expect(document).toMatchObject({
      components: { schemas: { Thing: { properties: { channel: { $ref: '#/components/schemas/ChannelRef' } } } } },
      paths: {
        '/a': { get: { responses: { '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } } } },
        '/b': { get: { responses: { '200': { content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/Thing' } } } } } } } },
      },
    });
    expect(JSON.stringify(document.paths)).not.toContain('definitions');
  });

  it('stops on two different views with one name', () => {
    const other = z.object({ name: z.string() }).meta({ id: 'Clash' });
    const same = z.object({ id: z.string() }).meta({ id: 'Clash' });
    const schema = (view: z.ZodType) => ({ content: { 'application/json': { schema: z.toJSONSchema(view, { target: 'openapi-3.0' }) } } });
    expect(() => collectNamedViews({ paths: { '/a': { get: { responses: { '200': schema(other) } } }, '/b': { get: { responses: { '200': schema(same) } } } } })).toThrow(
      'Two different answer views are named Clash.',
    );
  });
});

describe('undescribedAnswers', () => {
  const json = { content: { 'application/json': { schema: { type: 'object' } } } };

  it('names each operation whose 2xx answer has no schema, and one without any 2xx', () => {
    expect(
      undescribedAnswers({
        paths: {
          '/a': { get: { responses: { '200': { description: '' } as never } }, post: { responses: { '201': json } } },
          '/b': { put: { responses: { '202': { content: { 'application/json': {} } } } }, delete: { responses: { '400': json } } },
          '/c': { get: { responses: { '200': { content: { 'application/json': { schema: {} }, 'text/csv': {} } } } } },
        },
      }),
    ).toEqual(['GET /a: 200 has no schema', 'PUT /b: 202 has no schema', 'DELETE /b: no 2xx answer', 'GET /c: 200 has no schema']);
  });

  it('takes a route that answers with a redirect (a product card link) as described, and a 4xx alone as not', () => {
    expect(undescribedAnswers({ paths: { '/p/{token}': { get: { responses: { '302': { description: 'to the page' } as never } } }, '/q': { get: { responses: { '404': json } } } } })).toEqual([
      'GET /q: no 2xx answer',
    ]);
  });

  it('takes a 204 without a body, and ignores what is not an operation', () => {
    expect(undescribedAnswers({ paths: { '/a': { delete: { responses: { '204': {} } }, parameters: {} as never } } })).toEqual([]);
  });
});
