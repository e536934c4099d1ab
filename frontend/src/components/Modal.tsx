/**
 * A modal dialog over the page (a sector's detail, a stock's panel, the member heatmap): a backdrop
 * that closes it when pressed outside the dialog, and the dialog itself. Focus handling stays with
 * each caller (its `dialogRef` and `onKeyDown`), which knows what to focus first.
 */
import type { HTMLAttributes, ReactNode, Ref } from 'react';

interface ModalProps extends HTMLAttributes<HTMLDivElement> {
  /** The backdrop's own class (its layout); `modal-backdrop` is added. */
  backdropClassName: string;
  backdropTestId?: string;
  /** The dialog's own class; `modal` is added. */
  className: string;
  dialogRef: Ref<HTMLDivElement>;
  onClose: () => void;
  children: ReactNode;
}

export function Modal({ backdropClassName, backdropTestId, className, dialogRef, onClose, children, ...dialog }: ModalProps) {
  return (
    <div
      className={`${backdropClassName} modal-backdrop`}
      data-testid={backdropTestId}
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div ref={dialogRef} className={`${className} modal`} role="dialog" aria-modal="true" {...dialog}>
        {children}
      </div>
    </div>
  );
}
