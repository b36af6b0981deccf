import { Prisma } from '../common/database/database.js';

/**
 * `column` is the category or one under it (categories are three levels deep), among the team's categories only:
 * another team's category id picks nothing.
 */
export function inCategory(column: Prisma.Sql, teamId: string, categoryId: string): Prisma.Sql {
  return Prisma.sql`${column} IN (
    SELECT c.id FROM categories c
    LEFT JOIN categories p ON p.id = c.parent_id
    WHERE c.team_id = ${teamId} AND (c.id = ${categoryId} OR c.parent_id = ${categoryId} OR p.parent_id = ${categoryId}))`;
}
