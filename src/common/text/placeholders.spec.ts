import { fillPlaceholders, surnameOf } from './placeholders.js';

describe('placeholders of canned replies and team texts', () => {
  it('takes the surname as the first word of a name, with a full-width space too', () => {
    expect(surnameOf('山田 太郎')).toBe('山田');
    expect(surnameOf('佐藤　花子')).toBe('佐藤');
    expect(surnameOf('Suzuki')).toBe('Suzuki');
  });

  it('fills known placeholders and leaves an unknown or empty one as written', () => {
    const text = '{agent.surname}が承ります。{contact.name}様、{store}へようこそ。{unknown}';
    expect(fillPlaceholders(text, { 'agent.surname': '山田', 'contact.name': '田中', store: null })).toBe(
      '山田が承ります。田中様、{store}へようこそ。{unknown}',
    );
  });

  it('fills an empty value only when told to (posts the hub sends by itself)', () => {
    expect(fillPlaceholders('a{silence}b', { silence: '' })).toBe('a{silence}b');
    expect(fillPlaceholders('a{silence}b', { silence: '' }, { fillEmpty: true })).toBe('ab');
  });
});
