/** The two ways an alert reaches a trader looking elsewhere: a browser notification and a beep. */

/** Whether this browser can show notifications, and what the trader answered. */
export function notificationPermission(): NotificationPermission | 'unsupported' {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Asks for the permission; called only from a click, as browsers require (and as is polite). */
export async function requestNotificationPermission(): Promise<NotificationPermission | 'unsupported'> {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  return Notification.requestPermission();
}

/** Shows a notification when allowed; `tag` replaces an older one of the same subject. */
export function showNotification(title: string, body: string, tag: string): boolean {
  if (notificationPermission() !== 'granted') return false;
  try {
    new Notification(title, { body, tag });
    return true;
  } catch {
    // Some browsers only notify from a service worker; the title and the sound still tell.
    return false;
  }
}

let audio: AudioContext | null = null;

/** A short two-tone beep synthesised with Web Audio (no sound file to ship). Higher for up, lower for down. */
export function beep(direction: 'up' | 'down' = 'up'): boolean {
  const Context = globalThis.AudioContext;
  if (typeof Context === 'undefined') return false;
  try {
    audio ??= new Context();
    const start = audio.currentTime;
    const gain = audio.createGain();
    gain.connect(audio.destination);
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.15, start + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.35);
    const tones = direction === 'up' ? [660, 880] : [660, 440];
    tones.forEach((frequency, index) => {
      const oscillator = audio!.createOscillator();
      oscillator.type = 'sine';
      oscillator.frequency.setValueAtTime(frequency, start + index * 0.15);
      oscillator.connect(gain);
      oscillator.start(start + index * 0.15);
      oscillator.stop(start + index * 0.15 + 0.15);
    });
    return true;
  } catch {
    return false;
  }
}
