<?php
/**
 * The Totalrec UI in an iframe. Inputs: $totalrec_src (signed URL or ''),
 * $totalrec_problem, $totalrec_base.
 */
if (!defined('FREEPBX_IS_AUTH') && !function_exists('needreload')) {
	die('No direct script access allowed');
}
?>
<div class="totalrec">
	<h2><?php echo totalrec_h(_('Call Recordings')); ?>
		<small><a href="<?php echo totalrec_h($totalrec_base . '&view=settings'); ?>"><?php echo totalrec_h(_('Settings and status')); ?></a></small>
	</h2>
<?php if ($totalrec_src === '') { ?>
	<div class="alert alert-warning"><?php echo totalrec_h($totalrec_problem); ?></div>
<?php } else { ?>
	<iframe id="totalrec-frame" src="<?php echo totalrec_h($totalrec_src); ?>"
		style="width:100%;height:80vh;min-height:600px;border:0"
		referrerpolicy="no-referrer" title="<?php echo totalrec_h(_('Call Recordings')); ?>"></iframe>
<?php } ?>
</div>
