import { Component } from 'react';
import type { ReactNode } from 'react';

/**
 * A screen that fails to draw (an answer shaped unlike what the page expects) shows what happened and a way
 * back, instead of a blank page.
 */
export class ErrorBoundary extends Component<{ children: ReactNode; message: string; reload: string }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <main className="crashed" role="alert">
        <p>{this.props.message}</p>
        <pre>{this.state.error.message}</pre>
        <button type="button" onClick={() => location.reload()}>
          {this.props.reload}
        </button>
      </main>
    );
  }
}
