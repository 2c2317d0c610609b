import { escapeHtml, html } from './html';

describe('html', () => {
  it('escapes interpolated text but not nested html', () => {
    const name = '<script>alert("x")</script> & co';
    const row = html`<td>${name}</td>`;
    expect(html`<tr>${row}</tr><p>${[html`<b>${'a<b'}</b>`, 'c>d']}</p>`.value).toBe(
      '<tr><td>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co</td></tr><p><b>a&lt;b</b>c&gt;d</p>',
    );
    expect(escapeHtml("O'Neil")).toBe('O&#39;Neil');
  });
});
