<?php
/**
 * Totalrec in FreePBX's User Control Panel: a "My recordings" widget that embeds
 * Totalrec, signed in as the UCP user with the extensions User Manager assigns them
 * (their default extension and UCP's assigned extensions), as a user who sees those
 * calls only. No Totalrec password: the widget signs a single-use token with
 * sso_secret, as the admin page does, with the extensions in it.
 */
namespace UCP\Modules;

use \UCP\Modules as Modules;

require_once dirname(__DIR__) . '/lib/sso.php';
require_once dirname(__DIR__) . '/lib/config.php';

class Totalrec extends Modules {
	protected $module = 'Totalrec';

	public function __construct($Modules) {
		$this->Modules = $Modules;
	}

	/** The UCP user's extensions: the default one and UCP's assigned ones. */
	public function extensions() {
		$user = $this->UCP->User->getUser();
		if (empty($user) || empty($user['id'])) {
			return array();
		}
		$exts = array();
		if (!empty($user['default_extension']) && $user['default_extension'] != 'none') {
			$exts[] = $user['default_extension'];
		}
		$assigned = $this->UCP->getCombinedSettingByID($user['id'], 'Settings', 'assigned');
		if (is_array($assigned)) {
			$exts = array_merge($exts, $assigned);
		}
		return totalrec_scope_of($exts);
	}

	public function getWidgetList() {
		if (count($this->extensions()) == 0) {
			return array();
		}
		return array(
			'rawname' => 'totalrec',
			'display' => _('Call Recordings'),
			'icon' => 'fa fa-microphone',
			'list' => array(
				'recordings' => array(
					'display' => _('My recordings'),
					'description' => _('Find, play and download the calls of your extensions'),
					'defaultsize' => array('height' => 8, 'width' => 8),
					'minsize' => array('height' => 5, 'width' => 4),
				),
			),
		);
	}

	public function getWidgetDisplay($id, $uuid) {
		$exts = $this->extensions();
		$user = $this->UCP->User->getUser();
		$settings = totalrec_get_settings();
		$conf = totalrec_read_conf($settings['config_file']);
		if (count($exts) == 0 || !is_array($conf) || empty($conf['sso_secret'])) {
			$html = '<div class="alert alert-warning">' . htmlspecialchars(_('Call recordings are not available: ask your administrator.'), ENT_QUOTES, 'UTF-8') . '</div>';
		} else {
			$token = totalrec_sso_token($conf['sso_secret'], $user['username'], 60, null, implode(',', $exts));
			$src = totalrec_browser_url($settings, $conf) . '/sso?token=' . rawurlencode($token);
			$html = $this->load_view(__DIR__ . '/views/widget.php', array('src' => $src));
		}
		return array('title' => _('My recordings'), 'html' => $html);
	}
}
