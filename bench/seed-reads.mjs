// Fills one team with the data `bench:reads` reads: 100,000 conversations and 1,000,000 messages of short Japanese
// chat lines, spread over the team's channels, twenty agents, the three statuses, categories and favorites. The rows
// are generated inside PostgreSQL (INSERT ... SELECT over generate_series), into the hub's own tables after its
// migrations: a few minutes at most on two cores.
//
//   node bench/seed-reads.mjs postgresql://.../db     seeds the first team of a migrated database that has channels
//
// The searched word, 予約, is in about one message in eight; 予定 and 約束 share one of its characters each, so that a
// search that matched characters rather than the word would count them too.
import pg from 'pg';

export const SEARCH_WORD = '予約';
export const CONVERSATIONS = 100_000;
export const MESSAGES = 1_000_000;
const AGENTS = 20;
const CONTACTS = 60_000;
const CATEGORIES = 12;
// 2,000 long chats of 150 messages (pages of a conversation's messages to turn), the others 7 or 8.
const LONG_CONVERSATIONS = 2_000;
const LONG_LENGTH = 150;

// What customers write: an opening, the matter, a closing; {n} becomes a number.
const CUSTOMER_OPENINGS = ['', '', 'こんにちは。', 'すみません、', 'お世話になっております。', '質問です。', 'はじめまして。'];
const CUSTOMER_MATTERS = [
  '明日の予約を変更したいのですが可能でしょうか？',
  '予約番号はA-{n}です。',
  '注文した商品がまだ届きません。',
  '返品の手続きを教えてください。',
  'サイズ交換はできますか？',
  'クーポンコードが使えないです。',
  '支払い方法をクレジットカードに変更したいです。',
  '営業時間は何時までですか？',
  '店舗の駐車場はありますか？',
  'ログインできなくなりました。',
  'パスワードを忘れてしまいました。',
  '配送先の住所を変更したいです。',
  '在庫はいつ入荷しますか？',
  '領収書を発行してもらえますか？',
  'ポイントの有効期限を確認したいです。',
  'LINEで問い合わせても大丈夫ですか？',
  'Wi-Fiの設定がうまくいきません。',
  '来週の土曜日は空いていますか？',
  '子ども連れでも利用できますか？',
  '料金は税込みでしょうか？',
  '送料は無料になりますか？',
  'メールが届いていないようです。',
  '商品の色違いはありますか？',
  '予定が変わったので日程を相談したいです。',
  '約束の時間に少し遅れそうです。',
  '注文番号{n}の件で連絡しました。',
  'iPhoneのアプリで画面が真っ白になります。',
];
const CUSTOMER_CLOSINGS = ['', '', 'よろしくお願いします。', '急ぎではありません。', 'お手数ですが確認お願いします。', 'ありがとうございます！'];
// What agents write.
const AGENT_OPENINGS = ['', 'お問い合わせありがとうございます。', 'お待たせいたしました。', 'ご連絡ありがとうございます。', '担当の佐藤です。'];
const AGENT_MATTERS = [
  'ご予約の変更を承りました。',
  '確認いたしますので少々お待ちください。',
  'ご注文番号を教えていただけますか？',
  '本日中に発送いたします。',
  '返品は到着後7日以内に承っております。',
  '大変申し訳ございません。',
  'お取りしている日時は12月{n}日です。',
  'クーポンは1回のみご利用いただけます。',
  '営業時間は10:00〜19:00です。',
  'パスワード再設定のURLをお送りしました。',
  '在庫を確認いたします。',
  '送料は3,980円以上のご購入で無料です。',
  'ポイントは付与日から1年間有効です。',
  '店舗にはお客様用の駐車場がございます。',
  '変更後のご予約内容をメールでお送りしました。',
  '追跡番号は{n}です。',
];
const AGENT_CLOSINGS = ['', '', '他にご不明な点はございますか？', '引き続きよろしくお願いいたします。', 'またのご利用をお待ちしております。'];
const NOTES = ['常連のお客様です。', '予約システムの不具合の可能性あり。', '折り返し電話を希望。', '返金済み（{n}円）。', 'VIP対応'];
const CATEGORY_NAMES = ['予約', '予約変更', 'キャンセル', '配送', '返品・交換', '支払い', 'アカウント', '店舗', '商品', 'ポイント', 'クレーム', 'その他'];

/**
 * Seeds `teamId` (which has channels already) and answers what the benchmark varies its queries over. `db` is a
 * connected `pg` client on the hub's database.
 */
export async function seedReads(db, teamId, log = () => {}) {
  const channels = (await db.query(`SELECT id FROM channels WHERE team_id = $1 ORDER BY id`, [teamId])).rows.map((row) => row.id);
  if (channels.length === 0) throw new Error('the team has no channels: create some before seeding');
  const started = performance.now();
  const step = async (what, sql, params) => {
    const t0 = performance.now();
    const result = await db.query(sql, params);
    log(`  ${what}: ${result.rowCount ?? 0} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  await db.query(`SET synchronous_commit = off`);
  await db.query(`SET maintenance_work_mem = '256MB'`);
  await db.query('BEGIN');
  // The messages' secondary indexes are built once after the load, which is several times faster than keeping
  // them up to date through a million inserts; the definitions are the migrations', read back from the catalog.
  const indexes = (
    await db.query(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
       WHERE i.tablename = 'messages' AND i.schemaname = current_schema()
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    )
  ).rows;
  for (const index of indexes) await db.query(`DROP INDEX "${index.indexname}"`);

  // Agents beside the administrator: they hold the open chats and write the replies. They cannot sign in.
  await step(
    'members',
    `INSERT INTO members (id, team_id, email, name, password_hash, role, status, capacity)
     SELECT 'bench-member-' || lpad(i::text, 2, '0'), $1, 'agent' || i || '@bench.example.jp', '担当 ' || i, 'none',
            CASE WHEN i <= 3 THEN 'supervisor' ELSE 'operator' END::"MemberRole", 'offline', 5
     FROM generate_series(1, $2::int) AS i`,
    [teamId, AGENTS],
  );
  await step(
    'categories',
    `INSERT INTO categories (id, team_id, name, level) SELECT 'bench-category-' || lpad(n::text, 2, '0'), $1, name, 1
     FROM unnest($2::text[]) WITH ORDINALITY AS c(name, n)`,
    [teamId, CATEGORY_NAMES],
  );
  await step(
    'contacts',
    `INSERT INTO contacts (id, team_id, name, blocked, created_at)
     SELECT 'bench-contact-' || lpad(i::text, 6, '0'), $1,
            (ARRAY['佐藤','鈴木','高橋','田中','伊藤','渡辺','山本','中村','小林','加藤'])[1 + i % 10] || ' ' ||
            (ARRAY['花子','太郎','さくら','翔太','美咲','健','ゆい','Ken','Mika','大輔'])[1 + (i / 10) % 10],
            i % 200 = 0, now() - interval '200 days'
     FROM generate_series(1, $2::int) AS i`,
    [teamId, CONTACTS],
  );
  // Shape of each conversation: its channel, contact, status, agent, when it started and how many messages it has.
  // The newest are the open and waiting ones, as in a live inbox; every 97th older one is still open too.
  await db.query(
    `CREATE TEMP TABLE bench_shape ON COMMIT DROP AS
     SELECT i, 'bench-conv-' || lpad(i::text, 6, '0') AS id,
            $1::text[] AS channels,
            ($1::text[])[1 + i % cardinality($1::text[])] AS channel_id,
            'bench-contact-' || lpad((1 + (i * 7) % $2::int)::text, 6, '0') AS contact_id,
            CASE WHEN i > $3::int - 3000 AND i % 3 = 0 THEN 'waiting'
                 WHEN i > $3::int - 3000 OR i % 97 = 0 THEN 'open' ELSE 'resolved' END AS status,
            CASE WHEN i <= $4::int THEN $5::int WHEN i % 7 = 0 THEN 8 ELSE 7 END AS length,
            now() - interval '180 days' + i * interval '155 seconds' AS created_at
     FROM generate_series(1, $3::int) AS i`,
    [channels, CONTACTS, CONVERSATIONS, LONG_CONVERSATIONS, LONG_LENGTH],
  );
  await step(
    'conversations',
    `INSERT INTO conversations (id, team_id, channel_id, contact_id, status, assignee_id, unreplied, thread_key, active_key,
                                created_at, last_message_at, last_customer_message_at, resolved_at, outcome, handled,
                                category_id, rating_score)
     SELECT s.id, $1, s.channel_id, s.contact_id, s.status::"ConversationStatus",
            CASE WHEN s.status = 'waiting' THEN NULL
                 WHEN s.i % ($2::int + 1) = 0 THEN $3 ELSE 'bench-member-' || lpad((s.i % ($2::int + 1))::text, 2, '0') END,
            s.status <> 'resolved' AND s.i % 2 = 0,
            'visitor:bench-' || s.i, CASE WHEN s.status <> 'resolved' THEN s.channel_id || ':visitor:bench-' || s.i END,
            s.created_at, s.created_at + (s.length - 1) * interval '40 seconds', s.created_at + (s.length - 2) * interval '40 seconds',
            CASE WHEN s.status = 'resolved' THEN s.created_at + s.length * interval '40 seconds' END,
            CASE WHEN s.status = 'resolved' THEN (ARRAY['booked','answered','none'])[1 + s.i % 3] END,
            CASE WHEN s.status = 'resolved' THEN s.i % 10 <> 0 END,
            CASE WHEN s.status = 'resolved' AND s.i % 10 < 7 THEN 'bench-category-' || lpad((1 + s.i % $4::int)::text, 2, '0') END,
            CASE WHEN s.status = 'resolved' AND s.i % 4 = 0 THEN 1 + s.i % 5 END
     FROM bench_shape s`,
    [teamId, AGENTS, await administrator(db, teamId), CATEGORY_NAMES.length],
  );
  // Lines alternate customer and agent; one in thirty is an agent's note. Each part of a line is picked by a
  // multiplicative hash of the message's number, so the text varies without a random generator.
  await step(
    'messages',
    `INSERT INTO messages (id, team_id, conversation_id, channel_id, direction, kind, body, author_type, author_id, status, event_key, created_at)
     SELECT 'bench-msg-' || s.id || '-' || lpad(k::text, 3, '0'), $1, s.id, s.channel_id,
            (CASE WHEN k % 2 = 0 THEN 'in' ELSE 'out' END)::"MessageDirection",
            (CASE WHEN h % 30 = 0 AND k % 2 = 1 THEN 'note' ELSE 'text' END)::"MessageKind",
            replace(CASE WHEN h % 30 = 0 AND k % 2 = 1 THEN ($8::text[])[1 + (h / 7) % cardinality($8::text[])]
                         WHEN k % 2 = 0 THEN ($2::text[])[1 + (h / 3) % cardinality($2::text[])] || ($3::text[])[1 + (h / 11) % cardinality($3::text[])] || ($4::text[])[1 + (h / 13) % cardinality($4::text[])]
                         ELSE ($5::text[])[1 + (h / 3) % cardinality($5::text[])] || ($6::text[])[1 + (h / 11) % cardinality($6::text[])] || ($7::text[])[1 + (h / 13) % cardinality($7::text[])] END,
                    '{n}', (h % 100000)::text),
            (CASE WHEN k % 2 = 0 THEN 'contact' WHEN c.assignee_id IS NULL THEN 'bot' ELSE 'member' END)::"AuthorType",
            CASE WHEN k % 2 = 1 THEN c.assignee_id END,
            (CASE WHEN k % 2 = 0 THEN 'received' WHEN h % 3 = 0 THEN 'read' ELSE 'delivered' END)::"MessageStatus",
            CASE WHEN k % 2 = 0 THEN 'bench-event-' || s.i || '-' || k END,
            s.created_at + k * interval '40 seconds'
     FROM bench_shape s
     JOIN conversations c ON c.id = s.id
     CROSS JOIN LATERAL generate_series(0, s.length - 1) AS k
     CROSS JOIN LATERAL (SELECT ((s.i::bigint * 1000 + k) * 2654435761) % 4294967291 AS h) AS hash
     ORDER BY s.i, k`,
    [teamId, CUSTOMER_OPENINGS, CUSTOMER_MATTERS, CUSTOMER_CLOSINGS, AGENT_OPENINGS, AGENT_MATTERS, AGENT_CLOSINGS, NOTES],
  );
  await step(
    'previews',
    `UPDATE conversations c SET last_message_preview = left(m.body, 100)
     FROM bench_shape s JOIN messages m ON m.id = 'bench-msg-' || s.id || '-' || lpad((s.length - 1)::text, 3, '0')
     WHERE c.id = s.id`,
  );
  // Favorites: the administrator's and each agent's handful.
  await step(
    'favorites',
    `INSERT INTO favorites (member_id, conversation_id)
     SELECT m.id, s.id FROM members m JOIN bench_shape s ON s.i % 181 = abs(hashtext(m.id)) % 181
     WHERE m.team_id = $1`,
    [teamId],
  );
  for (const index of indexes) {
    const t0 = performance.now();
    await db.query(index.indexdef);
    log(`  index ${index.indexname}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  await db.query('COMMIT');
  // As autovacuum would leave tables of that age: hint bits set and pages all-visible, so that the first reads
  // measured do not pay for writing them, and index-only scans of the conversations (a member's chats, which the
  // search by member reads) do not visit the table.
  await db.query('VACUUM (ANALYZE) messages, conversations');
  await db.query('ANALYZE');
  log(`seeded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function administrator(db, teamId) {
  const { rows } = await db.query(`SELECT id FROM members WHERE team_id = $1 AND role = 'administrator' ORDER BY created_at LIMIT 1`, [teamId]);
  if (!rows[0]) throw new Error('the team has no administrator');
  return rows[0].id;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[2];
  if (!url) {
    console.error('usage: node bench/seed-reads.mjs <postgresql url of a migrated hub database with a team and channels>');
    process.exit(2);
  }
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  const team = (await db.query(`SELECT id FROM teams ORDER BY created_at LIMIT 1`)).rows[0];
  if (!team) throw new Error('no team in that database');
  await seedReads(db, team.id, console.log);
  await db.end();
}
