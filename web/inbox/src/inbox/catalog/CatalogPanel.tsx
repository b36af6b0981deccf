import { useContext, useEffect, useRef, useState } from 'react';
import { answer, ApiError, hub } from '../../api';
import type { Views } from '../../api';
import { CurrentLanguage, fill, useWords } from '../../i18n';
import { formatMinorUnits } from '../../shared/money';
import { BarcodeScanner, canUseCamera } from './BarcodeScanner';
import { catalogPanelWords } from './words';
import './catalog-panel.css';

type Product = Views['Product'];
type Query = { q?: string; category?: string; availability?: 'in_stock'; itemGroupId?: string; limit: number };

/** Typing pauses this long before the search goes out: one request per word typed, not per key. */
const DEBOUNCE_MS = 300;

const searchProducts = (query: Query) => answer(hub.GET('/api/catalog/products', { params: { query } }));
const reasonOf = (failure: unknown) => (failure instanceof ApiError || failure instanceof Error ? failure.message : String(failure));

/**
 * The team's catalog beside a conversation: a search (words in any width or kana, a barcode's digits) with a category
 * and "in stock only", a product's details, and on a device with a camera a barcode scanner that opens the product.
 * `onSend`, when given, offers to send the product shown into the conversation.
 */
export function CatalogPanel({ conversationId, onSend }: { conversationId: string; onSend?: (productIds: string[]) => void }) {
  const words = useWords(catalogPanelWords);
  const [q, setQ] = useState('');
  const [category, setCategory] = useState('');
  const [inStockOnly, setInStockOnly] = useState(false);
  const [results, setResults] = useState<Product[] | null>(null);
  // Nothing matched as typed; these are the closest spellings (a typing mistake in a Latin word).
  const [approximate, setApproximate] = useState(false);
  const [searching, setSearching] = useState(false);
  const [selected, setSelected] = useState<Product | null>(null);
  const [scanning, setScanning] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [categories, setCategories] = useState<string[]>([]);
  // Answers can come back out of order (a slow first word, a fast second): only the latest search's is shown.
  const latest = useRef(0);

  // Another conversation, another customer: what was looked up for the last one is not theirs.
  useEffect(() => {
    setQ('');
    setCategory('');
    setInStockOnly(false);
    setSelected(null);
    setScanning(false);
    setNotice(null);
  }, [conversationId]);

  useEffect(() => {
    const query: Query = { limit: 20 };
    if (q.trim()) query.q = q.trim();
    if (category.trim()) query.category = category.trim();
    if (inStockOnly) query.availability = 'in_stock';
    const ticket = ++latest.current;
    if (!query.q && !query.category && !query.availability) {
      setResults(null);
      setSearching(false);
      return;
    }
    setSearching(true);
    const timer = setTimeout(() => {
      searchProducts(query).then(
        ({ items, approximate: close }) => {
          if (ticket !== latest.current) return;
          setResults(items);
          setApproximate(close);
          setSearching(false);
          setNotice(null);
          setCategories((known) => withCategories(known, items));
        },
        (failure: unknown) => {
          if (ticket !== latest.current) return;
          setSearching(false);
          setNotice(fill(words.searchFailed, { reason: reasonOf(failure) }));
        },
      );
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q, category, inStockOnly, words.searchFailed]);

  const lookUpBarcode = async (code: string) => {
    setScanning(false);
    setNotice(fill(words.scanned, { code }));
    try {
      const {
        items: [product],
      } = await searchProducts({ q: code, limit: 1 });
      if (product) setSelected(product);
      else setNotice(fill(words.noMatch, { code }));
    } catch (failure) {
      setNotice(fill(words.searchFailed, { reason: reasonOf(failure) }));
    }
  };

  return (
    <section className="catalog-panel" aria-label={words.catalog}>
      <h3>{words.catalog}</h3>
      {selected ? (
        <ProductDetail product={selected} onBack={() => setSelected(null)} onOpen={setSelected} onSend={onSend} />
      ) : (
        <>
          <div role="search" aria-label={words.search} className="catalog-search">
            <label>
              {words.search}
              <span className="catalog-query">
                <input type="search" value={q} placeholder={words.searchHint} onChange={(e) => setQ(e.target.value)} />
                {canUseCamera() && (
                  <button type="button" className="scan" onClick={() => setScanning(true)} aria-label={words.scan} title={words.scan}>
                    <CameraIcon />
                  </button>
                )}
              </span>
            </label>
            <label>
              {words.category}
              <input list={`catalog-categories-${conversationId}`} value={category} onChange={(e) => setCategory(e.target.value)} />
              <datalist id={`catalog-categories-${conversationId}`}>
                {categories.map((path) => (
                  <option key={path} value={path} />
                ))}
              </datalist>
            </label>
            <label className="inline">
              <input type="checkbox" checked={inStockOnly} onChange={(e) => setInStockOnly(e.target.checked)} /> {words.inStockOnly}
            </label>
          </div>
          {searching && <p className="kind">{words.searching}</p>}
          {!searching && results?.length === 0 && <p>{words.noProducts}</p>}
          {!searching && approximate && results && results.length > 0 && <p className="kind">{words.approximate}</p>}
          {results && results.length > 0 && (
            <ul className="catalog-results" aria-label={words.results}>
              {results.map((product) => (
                <li key={product.id}>
                  <button type="button" onClick={() => setSelected(product)}>
                    <ProductImage product={product} />
                    <span className="catalog-name">{product.name}</span>
                    <Price product={product} />
                    <Availability product={product} />
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {notice && (
        <p role="status" className="notice">
          {notice}
        </p>
      )}
      {scanning && <BarcodeScanner onCode={(code) => void lookUpBarcode(code)} onClose={() => setScanning(false)} />}
    </section>
  );
}

function ProductDetail({ product, onBack, onOpen, onSend }: { product: Product; onBack: () => void; onOpen: (product: Product) => void; onSend?: (productIds: string[]) => void }) {
  const words = useWords(catalogPanelWords);
  const [variants, setVariants] = useState<Product[]>([]);
  const article = useRef<HTMLElement>(null);

  // On a phone the panel is below the thread: a product opened by a scan would otherwise be off screen. A block body:
  // newer Chromium returns a promise from scrollIntoView, which React would take for the effect's cleanup.
  useEffect(() => {
    void article.current?.scrollIntoView({ block: 'nearest' });
  }, [product.id]);

  useEffect(() => {
    setVariants([]);
    if (!product.itemGroupId) return;
    let current = true;
    searchProducts({ itemGroupId: product.itemGroupId, limit: 50 }).then(
      ({ items }) => current && setVariants(items),
      () => current && setVariants([]),
    );
    return () => {
      current = false;
    };
  }, [product.itemGroupId]);

  return (
    <article ref={article} className="catalog-product" aria-label={words.product}>
      <button type="button" className="link" onClick={onBack}>
        ← {words.back}
      </button>
      <ProductImage product={product} large />
      <h4>{product.name}</h4>
      <Price product={product} detailed />
      <Availability product={product} />
      {variants.length > 1 && (
        <ul className="catalog-variants" aria-label={words.variants}>
          {variants.map((variant) => (
            <li key={variant.id}>
              <button type="button" aria-current={variant.id === product.id ? 'true' : undefined} onClick={() => onOpen(variant)}>
                {variantLabel(variant)} <Availability product={variant} />
              </button>
            </li>
          ))}
        </ul>
      )}
      <dl className="catalog-facts">
        {product.variant && !variants.length && <VariantFacts variant={product.variant} />}
        {product.brand && <Fact term={words.brand} value={product.brand} />}
        {product.gtin && <Fact term={words.barcode} value={product.gtin} />}
        {product.sku && <Fact term={words.sku} value={product.sku} />}
      </dl>
      {product.url && /^https?:\/\//.test(product.url) && (
        // The shop's page, a link out of the inbox: opened without our origin's rights.
        <a href={product.url} target="_blank" rel="noopener noreferrer">
          {words.productPage}
        </a>
      )}
      {onSend && (
        <button type="button" className="primary" onClick={() => onSend([product.id])}>
          {words.send}
        </button>
      )}
    </article>
  );
}

function Fact({ term, value }: { term: string; value: string }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function VariantFacts({ variant }: { variant: Record<string, string> }) {
  return (
    <>
      {Object.entries(variant).map(([name, value]) => (
        <Fact key={name} term={name} value={value} />
      ))}
    </>
  );
}

function ProductImage({ product, large = false }: { product: Product; large?: boolean }) {
  const src = product.imageUrls.find((url) => /^https?:\/\//.test(url));
  if (!src) return <span className={large ? 'catalog-image large empty' : 'catalog-image empty'} aria-hidden="true" />;
  return <img className={large ? 'catalog-image large' : 'catalog-image'} src={src} alt={product.name} loading={large ? 'eager' : 'lazy'} />;
}

function Price({ product, detailed = false }: { product: Product; detailed?: boolean }) {
  const words = useWords(catalogPanelWords);
  const language = useContext(CurrentLanguage);
  if (product.price === null || !product.currency) return <span className="catalog-price">—</span>;
  const locale = language === 'ja' ? 'ja-JP' : 'en-GB';
  const regular = formatMinorUnits(product.price, product.currency, locale);
  if (product.salePrice === null || product.salePrice >= product.price) return <span className="catalog-price">{regular}</span>;
  const sale = formatMinorUnits(product.salePrice, product.currency, locale);
  return (
    <span className="catalog-price">
      {detailed && <span className="kind">{words.salePrice} </span>}
      <strong>{sale}</strong> <s aria-label={`${words.price} ${regular}`}>{regular}</s>
    </span>
  );
}

function Availability({ product }: { product: Product }) {
  const words = useWords(catalogPanelWords);
  return <span className={`catalog-availability ${product.availability}`}>{words.availabilities[product.availability] ?? product.availability}</span>;
}

function variantLabel(product: Product): string {
  return product.variant ? Object.values(product.variant).join(' / ') : product.name;
}

/** Each category path seen, with its starts (`レディース`, `レディース > ワンピース`), as the API takes either. */
function withCategories(known: string[], items: Product[]): string[] {
  const all = new Set(known);
  for (const item of items) {
    const parts = (item.category ?? '').split(' > ').filter(Boolean);
    parts.forEach((_, i) => all.add(parts.slice(0, i + 1).join(' > ')));
  }
  return [...all].sort((a, b) => a.localeCompare(b));
}

function CameraIcon() {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M9 4 7.2 6H4a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V8a2 2 0 0 0-2-2h-3.2L15 4H9Zm3 4.5a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9Zm0 2a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5Z" />
    </svg>
  );
}
