-- asteriskcdrdb.cdr as FreePBX 13 creates it: the 2.9 columns plus did and
-- recordingfile (2011), the caller-ID columns written by core's dialplan, and the
-- indexes of framework commits 24ec17310 (calldate, dst, accountcode), 5c1d8f38d
-- (uniqueid) and 5353a8021 (did). Still no linkedid and no recordingfile index.
-- Written in the SQL subset that MySQL/MariaDB and SQLite both accept.
CREATE TABLE `cdr` (
  `calldate` datetime NOT NULL DEFAULT '1000-01-01 00:00:00',
  `clid` varchar(80) NOT NULL DEFAULT '',
  `src` varchar(80) NOT NULL DEFAULT '',
  `dst` varchar(80) NOT NULL DEFAULT '',
  `dcontext` varchar(80) NOT NULL DEFAULT '',
  `channel` varchar(80) NOT NULL DEFAULT '',
  `dstchannel` varchar(80) NOT NULL DEFAULT '',
  `lastapp` varchar(80) NOT NULL DEFAULT '',
  `lastdata` varchar(80) NOT NULL DEFAULT '',
  `duration` int(11) NOT NULL DEFAULT '0',
  `billsec` int(11) NOT NULL DEFAULT '0',
  `disposition` varchar(45) NOT NULL DEFAULT '',
  `amaflags` int(11) NOT NULL DEFAULT '0',
  `accountcode` varchar(20) NOT NULL DEFAULT '',
  `uniqueid` varchar(32) NOT NULL DEFAULT '',
  `userfield` varchar(255) NOT NULL DEFAULT '',
  `did` varchar(50) NOT NULL DEFAULT '',
  `recordingfile` varchar(255) NOT NULL DEFAULT '',
  `cnum` varchar(80) NOT NULL DEFAULT '',
  `cnam` varchar(80) NOT NULL DEFAULT '',
  `outbound_cnum` varchar(80) NOT NULL DEFAULT '',
  `outbound_cnam` varchar(80) NOT NULL DEFAULT '',
  `dst_cnam` varchar(80) NOT NULL DEFAULT ''
);
CREATE INDEX `calldate` ON `cdr` (`calldate`);
CREATE INDEX `dst` ON `cdr` (`dst`);
CREATE INDEX `accountcode` ON `cdr` (`accountcode`);
CREATE INDEX `uniqueid` ON `cdr` (`uniqueid`);
CREATE INDEX `did` ON `cdr` (`did`);
