<?php
/**
 * Settings form and daemon status. Inputs: $totalrec_settings, $totalrec_errors,
 * $totalrec_saved, $totalrec_status, $totalrec_base.
 */
if (!defined('FREEPBX_IS_AUTH') && !function_exists('needreload')) {
	die('No direct script access allowed');
}
$totalrec_fields = array(
	'daemon_url' => array(_('Totalrec URL (browser)'), _('Empty: FreePBX\'s own address, under base_path (/totalrec) through its Apache')),
	'internal_url' => array(_('Totalrec URL (this server)'), _('Empty: from listen and base_path in the configuration file')),
	'config_file' => array(_('Totalrec configuration file'), _('Holds sso_secret; must be readable by the web server user')),
	'hook_binary' => array(_('totalrec program'), _('Run by MixMonitor after each recording (FreePBX 2.10+)')),
	'force' => array(_('Record every call'), _('yes or no; FreePBX 2.10+ (2.5-2.9: TOTALREC_FORCE in globals_custom.conf)')),
);
?>
<div class="totalrec">
	<h2><?php echo totalrec_h(_('Call Recordings: settings')); ?>
		<small><a href="<?php echo totalrec_h($totalrec_base); ?>"><?php echo totalrec_h(_('Back to the recordings')); ?></a></small>
	</h2>
<?php if ($totalrec_saved) { ?>
	<div class="alert alert-success"><?php echo totalrec_h(_('Saved. Apply Config to update the dialplan.')); ?></div>
<?php } ?>
<?php if (isset($totalrec_errors['form'])) { ?>
	<div class="alert alert-danger"><?php echo totalrec_h($totalrec_errors['form']); ?></div>
<?php } ?>
	<h3><?php echo totalrec_h(_('Status')); ?></h3>
	<table class="table">
		<tr><th><?php echo totalrec_h(_('Daemon')); ?></th>
			<td><?php echo totalrec_h($totalrec_status['internal_url'] . ' /healthz: ' . $totalrec_status['health']); ?></td></tr>
		<tr><th><?php echo totalrec_h(_('Browser URL')); ?></th>
			<td><?php echo totalrec_h($totalrec_status['browser_url']); ?></td></tr>
		<tr><th><?php echo totalrec_h(_('Configuration file')); ?></th>
			<td><?php echo totalrec_h($totalrec_status['config_readable']
				? ($totalrec_status['has_secret'] ? _('readable, sso_secret set') : _('readable, sso_secret missing'))
				: _('not readable')); ?></td></tr>
		<tr><th><?php echo totalrec_h(_('Retention')); ?></th>
			<td><?php echo implode('<br>', array_map('totalrec_h', totalrec_retention_lines($totalrec_status))); ?></td></tr>
	</table>
	<h3><?php echo totalrec_h(_('Settings')); ?></h3>
	<form method="post" action="<?php echo totalrec_h($totalrec_base . '&view=settings'); ?>">
		<input type="hidden" name="totalrec_csrf" value="<?php echo totalrec_h(totalrec_csrf_token()); ?>">
		<table class="table">
<?php foreach ($totalrec_fields as $key => $f) { ?>
			<tr>
				<th><label for="totalrec-<?php echo totalrec_h($key); ?>"><?php echo totalrec_h($f[0]); ?></label></th>
				<td>
					<input type="text" class="form-control" id="totalrec-<?php echo totalrec_h($key); ?>"
						name="<?php echo totalrec_h($key); ?>" value="<?php echo totalrec_h($totalrec_settings[$key]); ?>">
					<span class="help-block"><?php echo totalrec_h($f[1]); ?></span>
<?php if (isset($totalrec_errors[$key])) { ?>
					<span class="text-danger"><?php echo totalrec_h($totalrec_errors[$key]); ?></span>
<?php } ?>
				</td>
			</tr>
<?php } ?>
		</table>
		<input type="submit" class="btn btn-primary" value="<?php echo totalrec_h(_('Save')); ?>">
	</form>
</div>
