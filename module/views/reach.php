<?php
/**
 * A warning, hidden until assets/js/totalrec.js finds that this browser cannot reach
 * Totalrec's UI (then the Call Recordings page would stay blank). Inputs:
 * $totalrec_browser (the UI's URL as the browser reaches it), $totalrec_base.
 */
if (!defined('FREEPBX_IS_AUTH') && !function_exists('needreload')) {
	die('No direct script access allowed');
}
?>
<div id="totalrec-reach" class="alert alert-danger" role="alert" hidden
	data-url="<?php echo totalrec_h($totalrec_browser . '/healthz'); ?>"
	data-timeout="<?php echo totalrec_h(_('no answer within 10 seconds')); ?>"
	data-blocked="<?php echo totalrec_h(_('no connection: refused, blocked as mixed content, an untrusted certificate or a firewall')); ?>"
	data-status="<?php echo totalrec_h(_('the answer was HTTP %s, not Totalrec\'s')); ?>"
	data-foreign="<?php echo totalrec_h(_('the answer is not Totalrec\'s')); ?>">
	<strong><?php echo totalrec_h(sprintf(_('Your browser cannot reach Totalrec at %s'), $totalrec_browser)); ?></strong>
	(<span class="totalrec-reach-why"></span>).
	<?php echo totalrec_h(_('The recordings page stays blank until it can. Run install.sh again to have FreePBX\'s Apache serve Totalrec under /totalrec/ on this address, or set the browser URL in the settings.')); ?>
	<a href="<?php echo totalrec_h($totalrec_base . '&view=settings'); ?>"><?php echo totalrec_h(_('Settings and status')); ?></a>
</div>
