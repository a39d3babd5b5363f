-- asteriskcdrdb.cdr as FreePBX 16 has it: the FreePBX 13 table plus linkedid,
-- peeraccount and sequence (cdr module 14.0.5.6, 2017) and the recordingfile index
-- (framework 711c50f71, 2018). linkedid is not indexed: only FreePBX 17 adds that.
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
  `dst_cnam` varchar(80) NOT NULL DEFAULT '',
  `linkedid` varchar(32) NOT NULL DEFAULT '',
  `peeraccount` varchar(80) NOT NULL DEFAULT '',
  `sequence` int(11) NOT NULL DEFAULT '0'
);
CREATE INDEX `calldate` ON `cdr` (`calldate`);
CREATE INDEX `dst` ON `cdr` (`dst`);
CREATE INDEX `accountcode` ON `cdr` (`accountcode`);
CREATE INDEX `uniqueid` ON `cdr` (`uniqueid`);
CREATE INDEX `did` ON `cdr` (`did`);
CREATE INDEX `recordingfile` ON `cdr` (`recordingfile`);
