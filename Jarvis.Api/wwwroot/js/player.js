/**
 * Plays spoken reply sentences (WAV bytes) one after another, in the order they arrive.
 */
export class AudioQueue {
  #clips = [];
  #current = null;
  #onPlayed;
  #onBlocked;

  /**
   * @param {{onPlayed: () => void, onBlocked: () => void}} callbacks onPlayed once per clip that started playing;
   *   onBlocked when the browser refused to play (autoplay policy)
   */
  constructor({ onPlayed, onBlocked }) {
    this.#onPlayed = onPlayed;
    this.#onBlocked = onBlocked;
  }

  /**
   * Queues a clip; it plays once every clip before it has ended.
   * @param {ArrayBuffer} bytes a WAV file
   */
  enqueue(bytes) {
    this.#clips.push(bytes);
    if (!this.#current) {
      this.#next();
    }
  }

  /** Stops the clip playing and drops the queued ones. */
  clear() {
    this.#clips = [];
    this.#current?.finish();
  }

  #next() {
    const bytes = this.#clips.shift();
    if (!bytes) {
      this.#current = null;
      return;
    }
    const url = URL.createObjectURL(new Blob([bytes], { type: 'audio/wav' }));
    const audio = new Audio(url);
    let counted = false;
    let finished = false;
    const count = () => {
      if (!counted) {
        counted = true;
        this.#onPlayed();
      }
    };
    const clip = {
      finish: () => {
        if (finished) {
          return;
        }
        finished = true;
        audio.pause();
        URL.revokeObjectURL(url);
        if (this.#current === clip) {
          this.#next();
        }
      },
    };
    this.#current = clip;
    audio.addEventListener('playing', count);
    audio.addEventListener('ended', () => {
      count();
      clip.finish();
    });
    audio.addEventListener('error', () => clip.finish());
    audio.play().catch((error) => {
      if (error?.name === 'NotAllowedError') {
        // The sentences queued behind it would be refused too: one alert, not one per sentence.
        this.#clips = [];
        this.#onBlocked();
      }
      clip.finish();
    });
  }
}
