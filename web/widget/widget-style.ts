/** Scoped to the widget's shadow root. Colours meet WCAG AA contrast against their backgrounds. */
export const WIDGET_STYLE = `
:host { all: initial; --brand: #0b5cad; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Hiragino Sans", "Noto Sans JP", sans-serif; }
.launcher { position: fixed; right: 20px; bottom: 20px; width: 56px; height: 56px; border-radius: 50%; border: 0;
  background: var(--brand); color: #fff; display: grid; place-items: center; cursor: pointer; box-shadow: 0 2px 8px rgba(0,0,0,.3); z-index: 2147483000; }
.launcher.with-text { width: auto; border-radius: 28px; padding: 0 18px 0 14px; grid-auto-flow: column; gap: 8px; font-size: 15px; font-weight: 600; }
:host(.left) .launcher, :host(.left) .panel { right: auto; left: 20px; }
.launcher:focus-visible, button:focus-visible, textarea:focus-visible, input:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
.panel { position: fixed; right: 20px; bottom: 88px; width: min(360px, calc(100vw - 24px)); height: min(540px, calc(100vh - 110px));
  display: flex; flex-direction: column; background: #fff; color: #1a1a1a; border-radius: 12px; box-shadow: 0 4px 24px rgba(0,0,0,.25);
  overflow: hidden; z-index: 2147483000; font-size: 14px; }
.panel[hidden] { display: none; }
header { display: flex; justify-content: space-between; align-items: center; padding: 12px 14px; background: var(--brand); color: #fff; font-weight: 600; }
.close { background: none; border: 0; color: #fff; font-size: 22px; cursor: pointer; }
.log { flex: 1; overflow-y: auto; list-style: none; margin: 0; padding: 12px; display: flex; flex-direction: column; gap: 8px; }
.log li { max-width: 80%; padding: 8px 10px; border-radius: 10px; white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.5; }
.log .mine { align-self: flex-end; background: var(--brand); color: #fff; }
.log .theirs, .log .greeting { align-self: flex-start; background: #eef1f5; color: #1a1a1a; }
.log .withdrawn .body { font-style: italic; color: #5a6270; }
.who { display: block; font-size: 11px; color: #4a4a4a; margin-bottom: 2px; }
.notice { margin: 0; padding: 0 12px; color: #4a4a4a; font-size: 12px; min-height: 1em; }
.consent { display: flex; gap: 8px; padding: 8px 12px; font-size: 12px; color: #333; background: #fff8e1; }
.consent[hidden], .leave[hidden] { display: none; }
.composer { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #d0d5dc; }
.composer textarea { flex: 1; resize: none; padding: 8px; border: 1px solid #8a94a3; border-radius: 8px; font-size: 14px; color: #1a1a1a; }
.send, .leave button { background: var(--brand); color: #fff; border: 0; border-radius: 8px; padding: 0 14px; cursor: pointer; font-size: 14px; }
.send:disabled { background: #8a94a3; cursor: not-allowed; }
.leave { display: flex; flex-direction: column; gap: 6px; padding: 8px 12px; border-top: 1px solid #d0d5dc; }
.leave p { margin: 0; font-weight: 600; }
.leave input, .leave textarea { padding: 6px; border: 1px solid #8a94a3; border-radius: 6px; }
.leave button { padding: 8px; }
.rating { display: flex; align-items: center; gap: 2px; padding: 4px 12px; font-size: 12px; color: #4a4a4a; }
.rating button { background: none; border: 0; color: #8a6d00; font-size: 18px; cursor: pointer; padding: 0 2px; }
.intake-text { display: flex; gap: 6px; margin-top: 6px; }
.intake-text input { flex: 1; padding: 4px 6px; border: 1px solid #8a94a3; border-radius: 6px; }
.intake-text button { background: var(--brand); color: #fff; border: 0; border-radius: 6px; padding: 4px 10px; cursor: pointer; }
.prechat .choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.prechat .choices button { background: #fff; color: var(--brand); border: 1px solid var(--brand); border-radius: 14px; padding: 4px 10px; cursor: pointer; }
.transcript { padding: 2px 12px; font-size: 12px; color: #4a4a4a; }
.transcript summary { cursor: pointer; }
.transcript form { display: flex; gap: 6px; margin: 4px 0; }
.transcript input { flex: 1; padding: 4px; border: 1px solid #8a94a3; border-radius: 6px; }
.transcript button { background: var(--brand); color: #fff; border: 0; border-radius: 6px; padding: 4px 10px; }
.attach { display: grid; place-items: center; width: 32px; cursor: pointer; font-size: 18px; }
.attach input { width: 0.1px; height: 0.1px; opacity: 0; position: absolute; }
.attach:focus-within { outline: 3px solid #f5a623; outline-offset: 2px; }
.file { display: block; margin-top: 4px; color: inherit; }
.file .preview { display: block; max-width: 200px; max-height: 200px; border-radius: 8px; }
.file.document { text-decoration: underline; }
.player { display: block; max-width: 240px; margin-top: 4px; }
.product { display: flex; flex-direction: column; gap: 2px; margin-top: 6px; padding: 8px; background: #fff; border: 1px solid #d0d5dc; border-radius: 8px; white-space: normal; }
.product-photo { display: block; width: 100%; max-height: 180px; object-fit: cover; border-radius: 6px; margin-bottom: 4px; }
.product-name { font-weight: 600; }
.product-variant { font-size: 12px; color: #4a4a4a; }
.product-view { margin-top: 6px; align-self: flex-start; background: var(--brand); color: #fff; border-radius: 6px; padding: 4px 12px; text-decoration: none; }
.call { border-bottom: 1px solid #d0d5dc; background: #0f1419; color: #fff; }
.call[hidden], .call-stage[hidden], .call-ring[hidden], .call-controls button[hidden] { display: none; }
.call-ring { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 10px 12px; }
.call-ring p { flex-basis: 100%; margin: 0; font-weight: 600; }
.call button { border: 0; border-radius: 8px; padding: 6px 12px; cursor: pointer; font-size: 13px; background: #3a4350; color: #fff; }
.call .call-accept { background: #1a7f37; }
.call .call-decline, .call .call-end { background: #c62828; }
.call-stage { position: relative; }
.call-remote { display: block; width: 100%; max-height: 260px; background: #000; }
.call-local { position: absolute; right: 8px; top: 8px; width: 30%; border: 2px solid #fff; border-radius: 6px; background: #222; }
.call-state { margin: 0; padding: 4px 12px; font-size: 12px; }
.call-controls { display: flex; gap: 6px; padding: 6px 12px 10px; }
`;
