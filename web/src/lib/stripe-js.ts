"use client";
// Stripe.js, loaded from Stripe when a publishable key is configured (PCI rules require it
// to come from js.stripe.com; it is never loaded on the local stack or in tests). Only the
// calls this app makes are typed.

export interface StripeElements {
  create(kind: "payment"): { mount(el: HTMLElement): void };
  submit(): Promise<{ error?: { message?: string } }>;
}

export interface StripeJs {
  elements(o: { clientSecret: string } | { mode: "subscription"; amount: number; currency: string }): StripeElements;
  confirmPayment(o: {
    elements?: StripeElements;
    clientSecret?: string;
    redirect: "if_required";
  }): Promise<{ error?: { message?: string } }>;
  createPaymentMethod(o: { elements: StripeElements }): Promise<{
    paymentMethod?: { id: string };
    error?: { message?: string };
  }>;
}

declare global {
  interface Window {
    Stripe?: (key: string) => StripeJs;
  }
}

let loading: Promise<StripeJs> | null = null;

export function loadStripe(publishableKey: string): Promise<StripeJs> {
  loading ??= new Promise((resolve, reject) => {
    const ready = () => (window.Stripe ? resolve(window.Stripe(publishableKey)) : reject(new Error("Stripe.js missing")));
    if (window.Stripe) return ready();
    const s = document.createElement("script");
    s.src = "https://js.stripe.com/v3";
    s.onload = ready;
    s.onerror = () => {
      loading = null;
      reject(new Error("Stripe.js could not load"));
    };
    document.head.appendChild(s);
  });
  return loading;
}
