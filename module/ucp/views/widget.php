<?php
/** The "My recordings" widget: Totalrec, signed in for this UCP user. Input: $src. */
?>
<div class="totalrec-ucp" style="height:100%">
	<iframe src="<?php echo htmlspecialchars($src, ENT_QUOTES, 'UTF-8'); ?>" title="<?php echo htmlspecialchars(_('My recordings'), ENT_QUOTES, 'UTF-8'); ?>" style="border:0;width:100%;height:100%;min-height:420px"></iframe>
</div>
