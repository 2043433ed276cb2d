// Read an .ics file with Mozilla's ical.js (the reader of Thunderbird and Nextcloud) and
// print every occurrence start (UTC, ISO) of every event, overrides applied, as JSON.
import fs from 'fs';
import { createRequire } from 'module';

const require = createRequire(process.argv[2] + '/');
const ICAL = require('ical.js');
const data = fs.readFileSync(process.argv[3], 'utf8');
const until = ICAL.Time.fromJSDate(new Date(process.argv[4]), true);
const calendar = new ICAL.Component(ICAL.parse(data));
for (const zone of calendar.getAllSubcomponents('vtimezone')) {
  ICAL.TimezoneService.register(zone);  // the file's own VTIMEZONE, not a built-in table
}
const byUid = new Map();
for (const component of calendar.getAllSubcomponents('vevent')) {
  const uid = component.getFirstPropertyValue('uid');
  if (!byUid.has(uid)) byUid.set(uid, []);
  byUid.get(uid).push(component);
}
const found = [];
for (const components of byUid.values()) {
  const master = components.find((c) => !c.hasProperty('recurrence-id'));
  const event = new ICAL.Event(master);
  for (const other of components) {
    if (other !== master) event.relateException(other);
  }
  if (!event.isRecurring()) {
    found.push({ summary: event.summary, start: event.startDate.toJSDate().toISOString() });
    continue;
  }
  const iterator = event.iterator();
  for (let next = iterator.next(); next && next.compare(until) < 0; next = iterator.next()) {
    const details = event.getOccurrenceDetails(next);
    found.push({
      summary: details.item.summary,
      start: details.startDate.toJSDate().toISOString(),
    });
  }
}
console.log(JSON.stringify(found));
