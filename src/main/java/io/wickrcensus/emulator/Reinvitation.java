package io.wickrcensus.emulator;

import java.time.Instant;

/** One re-invitation the emulator performed (replays of a client token are not new ones). */
public record Reinvitation(String networkId, String userId, String clientToken, Instant at) { }
