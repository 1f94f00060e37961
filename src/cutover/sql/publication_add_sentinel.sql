-- A publication that does not publish every table gets pgflip.sentinel added.
ALTER PUBLICATION {publication} ADD TABLE pgflip.sentinel
