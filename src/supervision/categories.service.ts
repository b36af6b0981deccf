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

  /**
   * Renames a category, moves it (with everything under it) to another parent, or both. A move that would put the
   * category under itself, or any of its descendants deeper than level 3, is refused naming `parentId`.
   */
  async update(teamId: string, id: string, input: { name?: string; parentId?: string | null }): Promise<CategoryView> {
    const row = await this.require(teamId, id, 'id');
    if (input.parentId === undefined) {
      await this.db.category.update({ where: { id }, data: { name: input.name } });
      return (await this.list(teamId)).find((category) => category.id === id)!;
    }
    const parent = input.parentId ? await this.require(teamId, input.parentId, 'parentId') : null;
    const rows = await this.db.category.findMany({ where: { teamId }, select: { id: true, parentId: true, level: true } });
    const subtree = descendantsOf(rows, row.id);
    if (parent && (parent.id === row.id || subtree.some((child) => child.id === parent.id))) {
      throw new DomainError('invalid', 'category_cycle', 'A category cannot move under itself or under one of its own subcategories.', [
        { field: 'parentId', message: 'is this category or one below it' },
      ]);
    }
    const shift = (parent ? parent.level + 1 : 1) - row.level;
    const deepest = Math.max(row.level, ...subtree.map((child) => child.level)) + shift;
    if (deepest > MAX_CATEGORY_LEVEL) {
      throw new DomainError('invalid', 'category_too_deep', `Categories nest at most ${MAX_CATEGORY_LEVEL} levels; this one has subcategories that would end up deeper.`, [
        { field: 'parentId', message: `would put a subcategory below level ${MAX_CATEGORY_LEVEL}` },
      ]);
    }
    // The level is stored on every row (reports group by it), so the whole subtree moves in one transaction.
    await this.db.$transaction([
      this.db.category.update({ where: { id }, data: { name: input.name, parentId: parent?.id ?? null, level: row.level + shift } }),
      ...(shift === 0 ? [] : [this.db.category.updateMany({ where: { teamId, id: { in: subtree.map((child) => child.id) } }, data: { level: { increment: shift } } })]),
    ]);
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

/** Every category below `id` (children, grandchildren). */
function descendantsOf<R extends { id: string; parentId: string | null }>(rows: R[], id: string): R[] {
  const below = rows.filter((row) => row.parentId === id);
  return below.flatMap((child) => [child, ...descendantsOf(rows, child.id)]);
}
