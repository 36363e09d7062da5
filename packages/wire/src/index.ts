/**
 * @ifnet/wire: what device models connect to — a {@link VirtualCable} between two ports, a
 * {@link TrafficSource} that generates frames on the clock, and a {@link FrameSink} that captures what a
 * device transmits. All of them implement `@ifnet/core`'s `Wire` / `WiredDevice` contracts and act as
 * hardware (on timers), never as kernel code.
 *
 * @module
 */
export * from './framing.js';
export * from './virtual-cable.js';
export * from './station.js';
export * from './frame-sink.js';
export * from './traffic-source.js';
