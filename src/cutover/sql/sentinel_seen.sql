SELECT EXISTS (SELECT 1 FROM pgflip.sentinel WHERE token = $1) AS seen;
