B0.1.0 ß„Ñ¶÷ŸÇõ*×
/etc	/etc/mtab/etc/ld.so.cache/etc/adjtime/etc/.pwd.lock/boot/grub/grubenv/boot/grub2/grubenv/etc/**"/etc/shadow*"/etc/gshadow*"/etc/security/opasswd"/etc/ssh/ssh_host_*_key"**/private/**"**/*.key"**/privkey*.pem"**/*.p12"**/*.pfx"**/*.keytab"
**secret**"/etc/letsencrypt/keys/**"/etc/wireguard/**")/etc/NetworkManager/system-connections/**"/etc/wpa_supplicant/**"/etc/mysql/debian.cnf"/etc/postfix/sasl_passwd*0€€:dpkg:rpmB/tmp/seedroot2,
/etcí2rootHÛ»õ­÷ŸÇõ`¥hpÛ»õ­÷ŸÇõ2Z
/etc/a.conf¤2root@HÛ©¬÷ŸÇõR ş2	ÖÔõ5³‘(ŠCßHÙİìá©’Yzå3‡Êa‘y`¦hpÛ©¬÷ŸÇõ€28
/etc/lÿ2root@HÛ»õ­÷ŸÇõZa.conf`§hpÛ»õ­÷ŸÇõ2Z
/etc/passwd¤2root@HÛ»õ­÷ŸÇõR ˆ
x­‰¦L¼Çljå£Üæ´Ez{‰çØÜãî€9|a`¨hpÛ»õ­÷ŸÇõ€: 
dpkgx1:2-3"all*	installed