#!/usr/bin/env node
// Validates Adaptive Cards with Microsoft's own library (`adaptivecards`, the renderer Teams'
// web and desktop clients are built on). Input on stdin: a JSON array of card objects.
// Output on stdout: a JSON array, per card {"errors": [...], "warnings": [...]}, each item
// {phase, event, message}. Used by tests/teams/test_card_conformance.py.
//
// Three sources of findings:
//  - parse events (SerializationContext): unknown element/action types, invalid enum values,
//    a card version above the target, properties newer than the target version;
//  - card.validateProperties(): duplicate ids, too many actions for the host, required
//    inputs without label/error message, empty collections;
//  - our own walk: a property the library's schema for that type does not know. The library
//    drops unknown properties silently, and Teams does the same, so a typo ("wrapp") would
//    otherwise pass and render wrong without a word.
"use strict";

// The package's main entry (lib/) is an ESM build that does not load under plain node; the
// webpack bundle in dist/ does, and its parse/validate path needs no DOM.
const AC = require("adaptivecards/dist/adaptivecards.js");

const TARGET = AC.Versions.v1_5; // the highest version Teams renders
// Teams shows at most 6 actions per card/ActionSet; the library's default host allows 5.
const HOST = new AC.HostConfig({ actions: { maxActions: 6 } });
// Only a nudge, no wrong rendering. Everything else the library reports is an error for us.
const WARNING_EVENTS = new Set([AC.ValidationEvent.Hint, AC.ValidationEvent.Deprecated]);
// Keys the library reads outside the element schemas, or that Teams defines on top of them.
// Collections are parsed by hand-written code, not through the schema.
const EXTRA = {
  AdaptiveCard: new Set(["$schema", "msteams", "body", "actions"]),
  Container: new Set(["items"]),
  Column: new Set(["items"]),
  ColumnSet: new Set(["columns"]),
  ActionSet: new Set(["actions"]),
  RichTextBlock: new Set(["inlines"]),
};
// Values that are free-form data (sent back to the bot), or plain sub-objects, not elements.
const OPAQUE = new Set(["data", "msteams", "choices", "fallback"]);

function item(phase, event, message) {
  return {
    phase: AC.ValidationPhase[phase] ?? String(phase),
    event: AC.ValidationEvent[event] ?? String(event),
    message,
  };
}

function sort(found, errors, warnings) {
  for (const event of found) {
    (WARNING_EVENTS.has(event.event) ? warnings : errors).push(
      item(event.phase, event.event, event.message));
  }
}

function schemaNames(object) {
  const schema = object.getSchema();
  const names = new Set();
  for (let i = 0; i < schema.getCount(); i++) {
    names.add(schema.getItemAt(i).name);
  }
  return names;
}

function instanceOf(typeName) {
  if (typeName === "AdaptiveCard") {
    return new AC.AdaptiveCard();
  }
  const element = AC.GlobalRegistry.elements.findByName(typeName);
  if (element) {
    return new element.objectType();
  }
  const action = AC.GlobalRegistry.actions.findByName(typeName);
  return action ? new action.objectType() : undefined;
}

// Every typed object in the JSON: are all its keys properties of that type?
function unknownProperties(node, path, errors) {
  if (Array.isArray(node)) {
    node.forEach((child, i) => unknownProperties(child, `${path}[${i}]`, errors));
    return;
  }
  if (node === null || typeof node !== "object") {
    return;
  }
  const typeName = typeof node.type === "string" ? node.type : undefined;
  const instance = typeName ? instanceOf(typeName) : undefined;
  if (instance) {
    const known = schemaNames(instance);
    const extra = EXTRA[typeName] ?? new Set();
    for (const key of Object.keys(node)) {
      if (key !== "type" && !known.has(key) && !extra.has(key)) {
        errors.push(item(AC.ValidationPhase.Parse, AC.ValidationEvent.UnsupportedProperty,
          `${path}: "${key}" is not a property of ${typeName}`));
      }
    }
  }
  for (const [key, value] of Object.entries(node)) {
    if (!OPAQUE.has(key)) {
      unknownProperties(value, `${path}.${key}`, errors);
    }
  }
}

function check(json) {
  const errors = [];
  const warnings = [];
  if (json === null || typeof json !== "object" || json.type !== "AdaptiveCard") {
    errors.push(item(AC.ValidationPhase.Parse, AC.ValidationEvent.MissingCardType,
      "not an AdaptiveCard object"));
    return { errors, warnings };
  }
  const context = new AC.SerializationContext(TARGET);
  const card = new AC.AdaptiveCard();
  card.hostConfig = HOST;
  card.parse(json, context);
  const parsed = [];
  for (let i = 0; i < context.eventCount; i++) {
    parsed.push(context.getEventAt(i));
  }
  sort(parsed, errors, warnings);
  sort(card.validateProperties().validationEvents, errors, warnings);
  const version = AC.Version.parse(String(json.version ?? ""), context);
  if (!version || !version.isValid || version.compareTo(TARGET) > 0) {
    errors.push(item(AC.ValidationPhase.Validation, AC.ValidationEvent.UnsupportedCardVersion,
      `card version ${json.version} is above ${TARGET.toString()} (Teams' highest)`));
  }
  unknownProperties(json, "card", errors);
  return { errors, warnings };
}

function main() {
  let input = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => { input += chunk; });
  process.stdin.on("end", () => {
    let cards;
    try {
      cards = JSON.parse(input);
    } catch (error) {
      process.stderr.write(`validate.js: stdin is not JSON: ${error.message}\n`);
      process.exit(2);
    }
    if (!Array.isArray(cards)) {
      process.stderr.write("validate.js: stdin must be a JSON array of cards\n");
      process.exit(2);
    }
    process.stdout.write(JSON.stringify(cards.map(check)));
  });
}

main();
