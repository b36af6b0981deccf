/** DI token of the {@link WebPushSender} (tests may put a sender of their own). */
export const WEB_PUSH_SENDER = Symbol('WebPushSender');
