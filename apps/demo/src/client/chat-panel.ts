/**
 * The chat panel: the messages of the room (over data channels, see
 * ChatChannel) and a box to write one. Text is set with textContent, never as
 * HTML.
 */
import { MAX_CHAT_CHARS } from './chat-channel.js';

export class ChatPanel {
  private readonly log: HTMLUListElement;
  private readonly input: HTMLInputElement;

  /** `send` returns false when the message could not go out (the chat is not open). */
  constructor(root: HTMLElement, send: (text: string) => boolean) {
    this.log = root.querySelector('#chat-log') as HTMLUListElement;
    this.input = root.querySelector('#chat-input') as HTMLInputElement;
    this.input.maxLength = MAX_CHAT_CHARS;
    const form = root.querySelector('#chat-form') as HTMLFormElement;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = this.input.value.trim();
      if (!text) return;
      if (send(text)) {
        this.add('You', text, true);
        this.input.value = '';
      } else {
        this.add('', 'chat not connected yet: try again', true);
      }
    });
  }

  add(author: string, text: string, own = false): void {
    const li = document.createElement('li');
    li.className = own ? 'chat-msg own' : 'chat-msg';
    if (author) {
      const b = document.createElement('b');
      b.textContent = author;
      li.append(b, ' ');
    }
    const span = document.createElement('span');
    span.textContent = text;
    li.append(span);
    this.log.append(li);
    this.log.scrollTop = this.log.scrollHeight;
  }

  clear(): void {
    this.log.replaceChildren();
  }
}
