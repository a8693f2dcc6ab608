"use client";
/**
 * Whether an element is on screen (or close to it), from one IntersectionObserver shared by every
 * caller. The fleet page uses it to keep off-screen nodes still: their data keeps arriving in the
 * store, and they catch up the moment they scroll into view.
 */
import { createContext, useContext, useEffect, useState, type RefObject } from "react";

/** Start updating a little before a card scrolls in, so it is current when it appears. */
export const IN_VIEW_MARGIN_PX = 200;

type Callback = (visible: boolean) => void;
let observer: IntersectionObserver | null = null;
const callbacks = new Map<Element, Callback>();

function shared(): IntersectionObserver {
  observer ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) callbacks.get(e.target)?.(e.isIntersecting);
    },
    { rootMargin: `${IN_VIEW_MARGIN_PX}px 0px` },
  );
  return observer;
}

export function useInView(ref: RefObject<Element | null>): boolean {
  // Off until the observer says otherwise: the first paint of a long page creates no charts below the fold.
  const [visible, setVisible] = useState(() => typeof IntersectionObserver === "undefined");
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof IntersectionObserver === "undefined") return;
    callbacks.set(el, setVisible);
    const io = shared();
    io.observe(el);
    return () => {
      io.unobserve(el);
      callbacks.delete(el);
    };
  }, [ref]);
  return visible;
}

/** Set by a container that tracks its own visibility, for the live parts inside it. */
export const InViewContext = createContext(true);

export function useInViewContext(): boolean {
  return useContext(InViewContext);
}
