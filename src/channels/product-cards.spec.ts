import { describe, expect, it } from '@jest/globals';
import type { OutboundProductCard } from './channel-adapter.js';
import { httpsImageOf, priceTextOf, productCardsAsText, viewLabelFor } from './product-cards.js';

const card = (over: Partial<OutboundProductCard> = {}): OutboundProductCard => ({
  productId: 'p1',
  name: 'リネン ワンピース',
  price: 12800,
  salePrice: null,
  currency: 'JPY',
  variant: null,
  imageUrl: 'https://shop.example.jp/a.jpg',
  url: 'https://shop.example.jp/p/1',
  link: 'https://hub.example/p/AAAAAAAAAAAA',
  priceText: '￥12,800',
  ...over,
});

describe('priceTextOf', () => {
  it('writes the sale price with the price it replaces, and nothing without a price or currency', () => {
    expect(priceTextOf({ price: 12800, salePrice: 9800, currency: 'JPY' })).toBe('￥9,800 (was ￥12,800)');
    expect(priceTextOf({ price: 1500, salePrice: null, currency: 'USD' })).toBe('$15.00');
    // A "sale" that is not cheaper is no sale.
    expect(priceTextOf({ price: 1500, salePrice: 1500, currency: 'USD' })).toBe('$15.00');
    expect(priceTextOf({ price: null, salePrice: null, currency: 'JPY' })).toBeNull();
    expect(priceTextOf({ price: 100, salePrice: null, currency: null })).toBeNull();
  });
});

describe('productCardsAsText', () => {
  it('puts the agent’s words first and each card as a paragraph of name, price and link', () => {
    expect(productCardsAsText(' こちらです ', [card({ variant: 'S' }), card({ name: 'Tote', priceText: null, link: 'https://hub.example/p/BBBBBBBBBBBB' })])).toBe(
      'こちらです\n\nリネン ワンピース (S)\n￥12,800\nhttps://hub.example/p/AAAAAAAAAAAA\n\nTote\nhttps://hub.example/p/BBBBBBBBBBBB',
    );
    expect(productCardsAsText('', [card()])).toBe('リネン ワンピース\n￥12,800\nhttps://hub.example/p/AAAAAAAAAAAA');
  });
});

describe('viewLabelFor and httpsImageOf', () => {
  it('words the button in the shop’s language and passes on only https photos', () => {
    expect(viewLabelFor([card()])).toBe('詳しく見る');
    expect(viewLabelFor([card({ name: 'Canvas tote' })])).toBe('View');
    expect(httpsImageOf(card())).toBe('https://shop.example.jp/a.jpg');
    expect(httpsImageOf(card({ imageUrl: 'http://shop.example.jp/a.jpg' }))).toBeNull();
    expect(httpsImageOf(card({ imageUrl: null }))).toBeNull();
  });
});
