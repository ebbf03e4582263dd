-- Out of office, set with `/sko pause`: nothing is sent to the person before this date.
ALTER TABLE people ADD COLUMN paused_until TEXT;
