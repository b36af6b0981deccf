import type { z } from 'zod';
import { Inject, Injectable } from '@nestjs/common';
import { DATABASE } from '../common/database/database.js';
import type { Db } from '../common/database/database.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import type { categoryView } from './supervision.schema.js';

/** Categories nest at most this deep (大分類 / 中分類 / 小分類). */
export const MAX_CATEGORY_LEVEL = 3;

/** The route's view (the type is the zod view's). */
export type CategoryView = z.output<typeof categoryView>;

@Injectable()
export class CategoriesService {
  constructor(@Inject(DATABASE) private readonly db: Db) {}

  async list(teamId: string): Promise<CategoryView[]> {
    const rows = await this.db.category.findMany({ where: { teamId }, orderBy: [{ level: 'asc' }, { name: 'asc' }] });
    const byId = new Map(rows.map((row) => [row.id, row]));
    const pathOf = (row: (typeof rows)[number]): string[] => {
      const parent = row.parentId ? byId.get(row.parentId) : undefined;
      return parent ? [...pathOf(parent), row.name] : [row.name];
    };
    return rows.map((row) => ({ id: row.id, name: row.name, parentId: row.parentId, level: row.level, path: pathOf(row) }));
  }

  async create(teamId: string, input: { name: string; parentId?: string | null }): Promise<CategoryView> {
    const parent = input.parentId ? await this.require(teamId, input.parentId, 'parentId') : null;
    const level = parent ? parent.level + 1 : 1;
    if (level > MAX_CATEGORY_LEVEL) {
      throw new DomainError('invalid', 'category_too_deep', `Categories nest at most ${MAX_CATEGORY_LEVEL} levels; pick a parent of level 1 or 2.`, [
        { field: 'parentId', message: `is at level ${MAX_CATEGORY_LEVEL}` },
      ]);
    }
    const row = await this.db.category.create({ data: { teamId, name: input.name, parentId: parent?.id ?? null, level } });
    return (await this.list(teamId)).find((category) => category.id === row.id)!;
  }

  async rename(teamId: string, id: string, name: string): Promise<CategoryView> {
    await this.require(teamId, id, 'id');
    await this.db.category.update({ where: { id }, data: { name } });
    return (await this.list(teamId)).find((category) => category.id === id)!;
  }

  /** Removes a category and those under it; conversations that had one keep no category. */
  async remove(teamId: string, id: string): Promise<void> {
    await this.require(teamId, id, 'id');
    await this.db.category.delete({ where: { id } });
  }

  /** The team's category, or a refusal naming the field that held an unknown id. */
  async require(teamId: string, id: string, field: string) {
    const row = await this.db.category.findFirst({ where: { id, teamId } });
    if (!row && field === 'id') throw notFound('The category');
    if (!row) throw new DomainError('invalid', 'invalid_request', 'There is no such category in your team.', [{ field, message: 'is not one of your team’s categories' }]);
    return row;
  }
}
