/**
 * Redaction of secrets and personal data in every string a user can see: status messages, Event
 * notes, log lines and alerts. {@link io.dihya.vigie.redact.Redactor} is the only entry point; the
 * rules behind it are package-private.
 *
 * <p>Every rule reports the spans it wants hidden on the <em>original</em> text, and the spans are
 * merged and applied once. Rules therefore never see each other's output: a mask cannot be
 * re-matched by a user pattern, and the order of the rules does not matter.
 */
package io.dihya.vigie.redact;
