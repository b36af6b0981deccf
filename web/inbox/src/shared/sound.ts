/** A short two-tone chime for a new chat or offer, made on the spot (no audio file to fetch). */
export function chime(): void {
  try {
    const context = new AudioContext();
    const gain = context.createGain();
    gain.gain.value = 0.08;
    gain.connect(context.destination);
    [880, 1320].forEach((frequency, i) => {
      const tone = context.createOscillator();
      tone.frequency.value = frequency;
      tone.connect(gain);
      tone.start(context.currentTime + i * 0.15);
      tone.stop(context.currentTime + i * 0.15 + 0.12);
    });
    setTimeout(() => void context.close(), 600);
  } catch {
    // No audio (a browser policy before the first click): the badge and the title still tell.
  }
}
